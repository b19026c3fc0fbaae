/**
 * check-proto.mjs with the real buf binary, in a scratch git repository holding a copy of this
 * tree's proto/ and buf.yaml: the contract changes a field in the field would break fail, an
 * added field passes, and missing history fails instead of passing unchecked.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts/check-proto.mjs');
const AGENT_PROTO = 'proto/physwatch/v1/agent.proto';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=check-proto', '-c', 'user.email=check-proto@test', '-c', 'commit.gpgsign=false', ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
}

/** A git repository whose one commit is this tree's contract. */
function contractRepo(): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'physwatch-check-proto-'));
  made.push(repo);
  cpSync(path.join(ROOT, 'proto'), path.join(repo, 'proto'), { recursive: true });
  cpSync(path.join(ROOT, 'buf.yaml'), path.join(repo, 'buf.yaml'));
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'contract');
  return repo;
}

function edit(repo: string, from: string, to: string): void {
  const file = path.join(repo, AGENT_PROTO);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

function check(repo: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [SCRIPT], { cwd: repo, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

function expectFailure(repo: string, ...reports: string[]): void {
  const { status, output } = check(repo);
  for (const report of reports) expect(output).toContain(report);
  expect(status).toBe(1);
}

describe('check-proto', () => {
  it('passes a field added under a new number', () => {
    const repo = contractRepo();
    edit(repo, '  uint64 seq = 1;\n  // Why, naming', '  uint64 seq = 1;\n  // A stable code for the reason.\n  string code = 3;\n  // Why, naming');
    const { status, output } = check(repo);
    expect(output).toContain('lint clean; no breaking change against any of the 1 commits');
    expect(status).toBe(0);
  });

  it('fails a renumbered field and a retyped one, with buf naming each', () => {
    const repo = contractRepo();
    edit(repo, '  string hostname = 3;', '  string hostname = 11;');
    edit(repo, '  int64 sent_at_unix_ms = 1;', '  string sent_at_unix_ms = 1;');
    expectFailure(repo, 'Previously present field "3" with name "hostname" on message "Hello" was deleted.', 'Field "1" with name "sent_at_unix_ms" on message "Heartbeat" changed type from "int64" to "string".');
  });

  it('fails a removed field even with its number and name reserved', () => {
    const repo = contractRepo();
    edit(repo, '  string rejected_reason = 3;', '  reserved 3;\n  reserved "rejected_reason";');
    expectFailure(repo, 'Previously present field "3" with name "rejected_reason" on message "VmcoreAck" was deleted.');
  });

  it('compares with every earlier version, not only the previous one', () => {
    const repo = contractRepo();
    const first = git(repo, 'rev-parse', '--short=10', 'HEAD').trim();
    // A removal that got committed, then the number reused with another type: fine against
    // the removal's commit, a retype for every agent built before it.
    edit(repo, '  string rejected_reason = 3;', '');
    git(repo, 'commit', '-q', '-am', 'remove rejected_reason');
    edit(repo, '  uint64 vmcore_id = 2;', '  uint64 vmcore_id = 2;\n  uint64 rejected_code = 3;');
    // Against the first commit only: the line lists no other.
    expectFailure(repo, `against ${first}:\n`, 'Field "3" with name "rejected_code" on message "VmcoreAck" changed type from "string" to "uint64".');
  });

  it('fails a lint error in a new message', () => {
    const repo = contractRepo();
    edit(repo, 'message RejectedHit {', 'message bad_name {\n  string Value = 1;\n}\n\nmessage RejectedHit {');
    expectFailure(repo, 'Message name "bad_name" should be PascalCase');
  });

  it('fails in a shallow clone, saying the history is missing', () => {
    const repo = contractRepo();
    edit(repo, '  uint64 seq = 1;\n  // Why, naming', '  uint64 seq = 1;\n  string code = 3;\n  // Why, naming');
    git(repo, 'commit', '-q', '-am', 'add RejectedHit.code');
    const shallow = mkdtempSync(path.join(tmpdir(), 'physwatch-check-proto-shallow-'));
    made.push(shallow);
    git(shallow, 'clone', '-q', '--depth', '1', `file://${repo}`, '.');
    expectFailure(shallow, 'this clone is shallow: the earlier versions of proto/ are missing');
  });
});
