/**
 * `physwatch` as installed by npm, with contexts for two real orchestrators: the selected
 * context (--context > PHYSWATCH_CONTEXT > current-context) decides which orchestrator a
 * command reaches and with which token; an unknown one is exit 2 listing those that exist.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/env';
import { Orchestrator } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');
/** The file package.json's "bin" names: what npm links as node_modules/.bin/physwatch. */
const CLI_BIN = path.join(ROOT, 'apps/cli/bin/physwatch.js');

let a: Orchestrator;
let b: Orchestrator;
let home: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with HOME in a scratch directory and none of the developer's PHYSWATCH_* settings. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  for (const key of Object.keys(base)) if (key.startsWith('PHYSWATCH_')) delete base[key];
  const child = spawn(command, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Result = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (result.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (result.stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ...result, code })));
}

const physwatch = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [CLI_BIN, ...args], env);

/** The names of the enrollment tokens on the orchestrator the command reached. */
async function enrollmentTokenNames(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const res = await physwatch([...args, 'enrollment-tokens', 'list', '-o', 'json'], env);
  expect(res.code, res.stderr).toBe(0);
  return (JSON.parse(res.stdout) as Array<{ name: string }>).map((t) => t.name);
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'physwatch-contexts-'));
  [a, b] = [await Orchestrator.start(), await Orchestrator.start()];
  await a.createEnrollmentToken({ name: 'only-on-a', max_uses: 1, expires_in: '1h' });
  await b.createEnrollmentToken({ name: 'only-on-b', max_uses: 1, expires_in: '1h' });
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

describe('physwatch contexts against two orchestrators', () => {
  it('reaches the orchestrator of the selected context, with its token', async () => {
    expect((await physwatch(['config', 'set-context', 'a', '--server', a.url, '--token', a.adminToken])).code).toBe(0);
    expect((await physwatch(['config', 'set-context', 'b', '--server', b.url, '--token', b.adminToken])).code).toBe(0);
    expect((await physwatch(['config', 'use-context', 'a'])).code).toBe(0);

    expect(await enrollmentTokenNames([])).toContain('only-on-a');
    expect(await enrollmentTokenNames(['--context', 'b'])).toEqual(expect.not.arrayContaining(['only-on-a']));
    expect(await enrollmentTokenNames([], { PHYSWATCH_CONTEXT: 'b' })).toContain('only-on-b');
    expect(await enrollmentTokenNames(['--context', 'a'], { PHYSWATCH_CONTEXT: 'b' })).toContain('only-on-a');
    // PHYSWATCH_SERVER still wins over the context's server; the context's token goes with it.
    const crossed = await physwatch(['--context', 'a', 'enrollment-tokens', 'list'], { PHYSWATCH_SERVER: b.url });
    expect(crossed.code).toBe(1);
    expect(crossed.stderr).toContain(b.url);
  });

  it('says which context an unreachable server came from', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect((await physwatch(['config', 'set-context', 'gone', '--server', closed])).code).toBe(0);
    const res = await physwatch(['--context', 'gone', 'watch', 'list']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot reach the physwatch server at ${closed} (from context "gone" in ${path.join(home, '.config/physwatch/config.yaml')})`);
  });

  it('is exit 2 for an unknown context, naming where it came from and the contexts that exist, contacting nothing', async () => {
    const res = await physwatch(['watch', 'list'], { PHYSWATCH_CONTEXT: 'staging' });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`error: PHYSWATCH_CONTEXT: no context "staging" (contexts in ${path.join(home, '.config/physwatch/config.yaml')}: a, b, gone)\n`);
  });
});

describe('physwatch on PATH through npm', () => {
  it('runs as `npm exec physwatch` from the workspace', async () => {
    const res = await run('npm', ['exec', '--offline', '--', 'physwatch', 'config', 'get-contexts']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^CURRENT\s+NAME\s+SERVER\s+TOKEN\n\*\s+a\s+http:\/\/127\.0\.0\.1:\d+\s+set\n/);
  });
});
