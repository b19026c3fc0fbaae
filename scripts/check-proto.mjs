#!/usr/bin/env node
// The wire contract's guard: `buf lint` on proto/, then `buf breaking` (buf.yaml: FILE rules)
// of the working tree's proto/ against proto/ as it was at every commit that touched it.
//   node scripts/check-proto.mjs        (from the repository root; npm run check:proto)
//
// Every earlier version, not only the previous one: an agent in the field may run any of
// them, and breaking is not transitive (a field removed in one commit and re-added under its
// old number with another type passes against the previous commit and breaks every agent
// built before the removal). proto/ changes rarely, so that is a handful of buf runs of a
// fraction of a second each. The versions are read with `git show`, which needs the history:
// a shallow clone or a tree without .git fails here, never passes unchecked.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const PROTO_DIR = 'proto';
const BUF = createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf');

function git(args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function buf(args) {
  return spawnSync(process.execPath, [BUF, ...args], { encoding: 'utf8' });
}

function fail(message) {
  console.error(`check:proto: ${message}`);
  process.exit(1);
}

/** Commits that touched proto/, newest first; fails when the history to read them is missing. */
function protoHistory() {
  let shallow;
  try {
    shallow = git(['rev-parse', '--is-shallow-repository']);
  } catch {
    fail('not a git checkout: the breaking check compares proto/ with its git history, which is missing here');
  }
  if (shallow === 'true') {
    fail('this clone is shallow: the earlier versions of proto/ are missing (git fetch --unshallow, or clone without --depth)');
  }
  const shas = git(['log', '--format=%H', '--', PROTO_DIR]).split('\n').filter(Boolean);
  if (shas.length === 0) fail(`no commit touched ${PROTO_DIR}/: nothing to compare the contract with`);
  return shas;
}

/** Writes proto/'s .proto files as of `sha` under `dir`; returns how many. */
function extractProto(sha, dir) {
  const files = git(['ls-tree', '-r', '--name-only', sha, '--', PROTO_DIR]).split('\n').filter((f) => f.endsWith('.proto'));
  for (const file of files) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), execFileSync('git', ['show', `${sha}:${file}`]));
  }
  return files.length;
}

const lint = buf(['lint']);
if (lint.status !== 0) fail(`buf lint failed:\n${lint.stdout}${lint.stderr}`);

const history = protoHistory();
const scratch = mkdtempSync(join(tmpdir(), 'check-proto-'));
// One change usually breaks against many versions: each distinct buf report once, with them all.
const commitsByReport = new Map();
try {
  for (const sha of history) {
    const dir = join(scratch, sha);
    if (extractProto(sha, dir) === 0) continue; // a commit that deleted proto/ has no contract to keep
    const result = buf(['breaking', '--against', join(dir, PROTO_DIR)]);
    if (result.status === 0) continue;
    const report = `${result.stdout}${result.stderr}`.trim();
    commitsByReport.set(report, [...(commitsByReport.get(report) ?? []), sha.slice(0, 10)]);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (commitsByReport.size > 0) {
  const reports = [...commitsByReport].map(([report, shas]) => `against ${shas.join(', ')}:\n${report}`);
  fail(`${PROTO_DIR}/ breaks the wire contract (fields are added only: never renumbered, retyped or removed)\n${reports.join('\n')}`);
}
console.log(`check:proto: lint clean; no breaking change against any of the ${history.length} commits that touched ${PROTO_DIR}/`);
