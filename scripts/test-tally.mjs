#!/usr/bin/env node
// Judges one vitest JSON report the way an auditor would, for the runners that add up
// counts (packages/watch-module/test/run-all.sh, .ci/run):
//   node scripts/test-tally.mjs REPORT.json [--exit RC] [--plan N]
// Prints "PASSED FAILED" on the first line, then one line per problem. A test that did
// not run (skipped, todo, or never collected because its file failed in beforeAll or at
// import) is not a pass: it is counted as failed, and so is a file-level failure, a
// runner that exited non-zero without a failed test, and a report that is missing.
// Exit status 0 only when nothing failed.
import { readFileSync } from 'node:fs';

function parseArgs(argv) {
  const args = { report: null, exit: 0, plan: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--exit') args.exit = Number(argv[++i]);
    else if (argv[i] === '--plan') args.plan = Number(argv[++i]);
    else args.report = argv[i];
  }
  if (!args.report || !Number.isInteger(args.exit) || (args.plan !== null && !Number.isInteger(args.plan))) {
    console.error('usage: test-tally.mjs REPORT.json [--exit RC] [--plan N]');
    process.exit(2);
  }
  return args;
}

export function tally(report, { exit = 0, plan = null } = {}) {
  const problems = [];
  if (!report) return { passed: 0, failed: 1, problems: ['no report: the runner did not finish'] };
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const notRun = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (notRun > 0) {
    failed += notRun;
    problems.push(`${notRun} tests did not run (skipped, todo, or their file's beforeAll failed)`);
  }
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed').length;
    if (file.status === 'failed' && failedTests === 0) {
      failed += 1;
      const why = String(file.message ?? '').split('\n')[0] || 'no message';
      problems.push(`${file.name}: failed outside its tests: ${why}`);
    }
  }
  const total = report.numTotalTests ?? 0;
  if (plan !== null && total !== plan) {
    failed += 1;
    problems.push(`${total} tests collected, the plan is ${plan}`);
  }
  if (failed === 0 && report.success === false) {
    failed += 1;
    problems.push('vitest reported the run as failed');
  }
  if (failed === 0 && exit !== 0) {
    failed += 1;
    problems.push(`the runner exited ${exit}`);
  }
  return { passed, failed, problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  let report = null;
  try {
    report = JSON.parse(readFileSync(args.report, 'utf8'));
  } catch {
    report = null;
  }
  const result = tally(report, args);
  console.log(`${result.passed} ${result.failed}`);
  for (const p of result.problems) console.log(p);
  process.exit(result.failed === 0 ? 0 : 1);
}
