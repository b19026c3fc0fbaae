/**
 * The built `physwatch` CLI run as a process, the way on-call runs it, against a real
 * orchestrator and real simulated agents: exit codes, messages that name the bad flag,
 * --wait progress, destructive-action confirmation, pause/resume and per-host placement,
 * hits list and tail, server down.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { corruptMemoryFile } from '@physwatch/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { freePort } from '../support/env';
import { Agent, Orchestrator } from '../support/stack';

const CLI_MAIN = path.resolve(__dirname, '../../apps/cli/dist/main.js');
const ZERO_PAGE = 0x2a0e000n;

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let orch: Orchestrator;
let api: Api;
let a1: Agent;
let a2: Agent;
let other: Agent;
let scratch: string;
const children = new Set<ChildProcess>();

/** The CLI's environment: only what a test gives it (the admin token by default), so the developer's own settings never leak in. */
function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, HOME: scratch, PHYSWATCH_SERVER: orch.url, PHYSWATCH_TOKEN: orch.adminToken };
  delete base.PHYSWATCH_CONFIG;
  const merged = { ...base, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return merged;
}

/** Starts the CLI; stdin is not a terminal (as in CI or a script). */
function startCli(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const result: CliResult = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (result.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (result.stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ ...result, code, signal });
    }),
  );
  return { child, result, done };
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

function json<T = any>(res: CliResult): T {
  expect(res.code, `exit code; stderr: ${res.stderr}`).toBe(0);
  return JSON.parse(res.stdout) as T;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'physwatch-cli-e2e-'));
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  a1 = await Agent.start({ server: orch.grpcAddress, hostId: 'cli-a1', labels: { rack: 'r12', suite: 'cli' } });
  a2 = await Agent.start({ server: orch.grpcAddress, hostId: 'cli-a2', labels: { rack: 'r12', suite: 'cli' } });
  other = await Agent.start({ server: orch.grpcAddress, hostId: 'cli-b1', labels: { rack: 'r99', suite: 'cli' } });
  await eventually('three hosts connected', async () => {
    const res = await api.request('GET', '/api/v1/hosts');
    return res.body.items?.filter((h: any) => h.connected).length === 3;
  });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const agent of [a1, a2, other]) {
    if (!agent) continue;
    await agent.stop('SIGKILL');
    agent.removeState();
  }
  await orch?.stop('SIGKILL');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('physwatch CLI', () => {
  let zeroPageWatch: string;
  let hangWatch: string;

  it('creates a watch from flags and --wait follows it until armed on both selected agents', async () => {
    const res = await cli([
      'watch', 'create', '--paddr', '0x2a0e000', '--width', '1', '--condition', 'equals', '--value', '0x33',
      '--interval', '5ms', '--selector', 'rack=r12', '--name', 'zero page', '--wait', '-o', 'json',
    ]);
    const created = json(res);
    expect(created).toMatchObject({ name: 'zero page', target: { paddr: '0x2a0e000' }, hosts: { selector: 'rack=r12' }, state: 'active' });
    // Not a terminal: one progress line per change, the last one with nothing pending.
    expect(res.stderr).toContain(`watch ${created.id}: armed 2, failed 0, pending 0 of 2 host(s)`);
    expect(res.stderr).toContain(`watch ${created.id} armed on 2 of 2 host(s)`);
    const watch = await api.watch(created.id);
    expect(watch.assignments.map((h: any) => [h.host_id, h.phase]).sort()).toEqual([['cli-a1', 'armed'], ['cli-a2', 'armed']]);
    zeroPageWatch = created.id;
  });

  it('creates a watch from a YAML file (-f), unquoted hex included', async () => {
    const file = path.join(scratch, 'watch.yaml');
    writeFileSync(file, 'target:\n  paddr: 0x1000\nwidth: 4\ncondition: any_change\ninterval: 2ms\nhosts:\n  ids: [cli-a1]\n');
    const created = json(await cli(['watch', 'create', '-f', file, '--wait', '-o', 'json']));
    expect(created).toMatchObject({ target: { paddr: '0x1000' }, width: 4, condition: 'any_change', hosts: { ids: ['cli-a1'] } });
    expect((await api.watch(created.id)).counts).toMatchObject({ armed: 1, pending: 0, failed: 0 });
  });

  it('refuses bad input with exit 2, naming the flag or file field, and sends nothing', async () => {
    const before = (await api.request('GET', '/api/v1/watches')).body.items.length;
    const base = ['watch', 'create', '--paddr', '0x1000', '--width', '4', '--condition', 'any_change', '--interval', '5ms', '--hosts', 'cli-a1'];
    const cases: Array<[string[], RegExp[]]> = [
      [[...base.slice(0, 4), '--width', '3', ...base.slice(6)], [/--width: 3 is not one of 1, 2, 4, 8/]],
      [['watch', 'create', '--paddr', '0x1002', '--width', '4', '--condition', 'any_change', '--interval', '5ms', '--hosts', 'cli-a1'], [/--paddr: 0x1002 is not aligned to width 4/]],
      [[...base.slice(0, 8), '--interval', 'fast', ...base.slice(10)], [/--interval: "fast"/]],
      [[...base.slice(0, 10), '--selector', 'rack in (r12'], [/--selector: unclosed "\("/]],
      [base.slice(0, 10), [/--hosts or --selector: required/]],
      [[...base, '--value', '0x33'], [/--value: not used by condition any_change/]],
      [[...base, '--expires-at', 'tomorrow', '--max-hits', 'lots'], [/--expires-at: "tomorrow"/, /--max-hits: "lots"/]],
      [[...base, '--wait', '--timeout', 'soon'], [/--timeout: "soon" is not a duration/]],
      [[...base, '-f', 'watch.yaml'], [/-f cannot be combined with --paddr, --width, --condition, --interval, --hosts/]],
      [[...base, '--bogus'], [/unknown option '--bogus'/]],
      [['hits', 'list', '--limit', '0'], [/--limit: "0" is not a whole number/]],
      [['watch', 'list', '-o', 'xml'], [/'xml' is invalid/]],
    ];
    for (const [args, messages] of cases) {
      const res = await cli(args);
      expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(2);
      for (const message of messages) expect(res.stderr).toMatch(message);
    }
    const file = path.join(scratch, 'bad.yaml');
    writeFileSync(file, 'target: {paddr: 0x1000}\nwidth: 5\ncondition: any_change\ninterval: 2ms\nhosts: {ids: [cli-a1]}\ncolour: red\n');
    const fromFile = await cli(['watch', 'create', '-f', file]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`${file}: width: 5 is not one of 1, 2, 4, 8`);
    expect(fromFile.stderr).toContain(`${file}: colour: unknown field`);
    expect((await api.request('GET', '/api/v1/watches')).body.items).toHaveLength(before);
  });

  it('a destructive action needs --yes without a terminal; with it the watch is created, and --wait reports the hosts that fail it', async () => {
    const args = ['watch', 'create', '--symbol', 'empty_zero_page', '--width', '1', '--condition', 'equals', '--value', '0x33', '--interval', '30ms', '--action', 'hang', '--hosts', 'cli-a1'];
    const refused = await cli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--action hang .* pass --yes/);

    // The simulated backend offers report and stack only, so the host fails the watch, with a reason.
    const res = await cli([...args, '--yes', '--wait', '-o', 'json']);
    expect(res.code, res.stderr).toBe(1);
    const created = JSON.parse(res.stdout);
    expect(created).toMatchObject({ action: 'hang', target: { symbol: 'empty_zero_page' } });
    expect(res.stderr).toMatch(/armed on 0 of 1 host\(s\); not on:\n\s+cli-a1: failed \(.+\)/);
    hangWatch = created.id;
  });

  it('watch describe shows the spec and every host state; watch get and list agree', async () => {
    const res = await cli(['watch', 'describe', zeroPageWatch]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Watch:\s+\d+ \(zero page\)/);
    expect(res.stdout).toMatch(/Condition:\s+equals 0x33/);
    expect(res.stdout).toMatch(/Hosts:\s+armed 2, pending 0, failed 0, disarmed 0/);
    expect(res.stdout).toMatch(/cli-a1\s+armed\s+0x2a0e000\s+ram/);
    expect(res.stdout).toMatch(/cli-a2\s+armed\s+0x2a0e000\s+ram/);

    const detail = json(await cli(['watch', 'describe', zeroPageWatch, '-o', 'json']));
    expect(detail.assignments).toHaveLength(2);
    const listed = json<any[]>(await cli(['watch', 'list', '--state', 'active', '-o', 'json']));
    expect(listed.map((w) => w.id)).toContain(zeroPageWatch);
    const table = await cli(['watch', 'get', zeroPageWatch]);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STATE/);
    expect(table.stdout).toMatch(new RegExp(`^${zeroPageWatch}\\s+zero page\\s+active\\s+0x2a0e000`, 'm'));
  });

  it('watch pause, resume and hosts: the armed hosts with their resolved paddr; a destructive resume asks; a bad id is exit 2', async () => {
    const paused = json(await cli(['watch', 'pause', zeroPageWatch, '-o', 'json']));
    expect(paused).toMatchObject({ id: zeroPageWatch, state: 'active', rollout: { paused: true } });
    expect((await api.watch(zeroPageWatch)).rollout.paused).toBe(true);
    const resumed = json(await cli(['watch', 'resume', zeroPageWatch, '-o', 'json']));
    expect(resumed).toMatchObject({ id: zeroPageWatch, state: 'active', rollout: { paused: false } });

    const view = json(await cli(['watch', 'hosts', zeroPageWatch, '-o', 'json']));
    expect(view.watch_id).toBe(zeroPageWatch);
    expect(view.armed.map((h: any) => [h.host_id, h.resolved_paddr]).sort()).toEqual([['cli-a1', '0x2a0e000'], ['cli-a2', '0x2a0e000']]);
    for (const h of view.armed) expect(Number.isNaN(Date.parse(h.since))).toBe(false);
    expect([view.failed, view.pending, view.offline]).toEqual([[], [], []]);
    const table = await cli(['watch', 'hosts', zeroPageWatch]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^HOST\s+STATE\s+PADDR\s+SINCE\s+PLACED\s+REASON$/);
    expect(table.stdout).toMatch(/^cli-a1\s+armed\s+0x2a0e000\s+\S+\s+-\s+-$/m);
    expect(table.stdout).toMatch(/^cli-a2\s+armed\s+0x2a0e000\s+\S+\s+-\s+-$/m);

    // The hang watch (failed on cli-a1): pausing is safe; resuming it needs --yes without a terminal.
    expect(json(await cli(['watch', 'pause', hangWatch, '-o', 'json']))).toMatchObject({ rollout: { paused: true } });
    const refused = await cli(['watch', 'resume', hangWatch]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`resuming watch ${hangWatch} lets it reach more hosts: --action hang`);
    expect((await api.watch(hangWatch)).rollout.paused).toBe(true);
    expect(json(await cli(['watch', 'resume', hangWatch, '--yes', '-o', 'json']))).toMatchObject({ rollout: { paused: false } });
    const failed = json(await cli(['watch', 'hosts', hangWatch, '-o', 'json']));
    expect(failed.failed.map((h: any) => h.host_id)).toEqual(['cli-a1']);

    for (const command of ['pause', 'resume', 'hosts']) {
      const bad = await cli(['watch', command, 'twelve']);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toContain('<id>: "twelve" is not a watch id');
    }
    const missing = await cli(['watch', 'hosts', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`watch 999999 does not exist (server ${orch.url})`);
  });

  it('hosts list --selector filters on labels; hosts get shows the watches a host holds', async () => {
    const r12 = json<any[]>(await cli(['hosts', 'list', '--selector', 'rack=r12', '-o', 'json']));
    expect(r12.map((h) => h.id).sort()).toEqual(['cli-a1', 'cli-a2']);
    const notR12 = json<any[]>(await cli(['hosts', 'list', '--selector', 'suite=cli,rack notin (r12)', '-o', 'json']));
    expect(notR12.map((h) => h.id)).toEqual(['cli-b1']);
    const table = await cli(['hosts', 'list', '--selector', 'rack=r99']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+HOSTNAME\s+ONLINE/);
    expect(table.stdout).toMatch(/^cli-b1\s+cli-b1\s+yes/m);
    expect(table.stdout).not.toContain('cli-a1');
    const host = await cli(['hosts', 'get', 'cli-a2']);
    expect(host.stdout).toMatch(new RegExp(`^${zeroPageWatch}\\s+armed\\s+0x2a0e000`, 'm'));
  });

  it('hits list -o json returns the hits the test produced, old and new values included', async () => {
    await corruptMemoryFile(a1.memoryFile, ZERO_PAGE, 1, 0x33n);
    await corruptMemoryFile(a2.memoryFile, ZERO_PAGE, 1, 0x33n);
    await eventually('both hits stored', async () => (await api.allHits({ watch_id: zeroPageWatch })).length === 2);
    const hits = json<any[]>(await cli(['hits', 'list', '--watch', zeroPageWatch, '--since', '1h', '-o', 'json']));
    expect(hits.map((h) => h.host_id).sort()).toEqual(['cli-a1', 'cli-a2']);
    for (const hit of hits) expect(hit).toMatchObject({ watch_id: zeroPageWatch, paddr: '0x2a0e000', old_value: '0x0', new_value: '0x33' });
    const one = json<any[]>(await cli(['hits', 'list', '--watch', zeroPageWatch, '--host', 'cli-a2', '-o', 'json']));
    expect(one.map((h) => h.host_id)).toEqual(['cli-a2']);
    const none = await cli(['hits', 'list', '--watch', zeroPageWatch, '--until', '2000-01-01T00:00:00Z']);
    expect(none.stdout).toBe('No hits.\n');
  });

  it('hits list --limit keeps the newest hits', async () => {
    const watch = await api.createWatch({ target: { paddr: '0x3000' }, width: 4, condition: 'any_change', interval: '1ms', hosts: { ids: ['cli-a2'] } });
    await eventually('armed', async () => (await api.watch(watch.id)).counts.armed === 1);
    for (let v = 1n; v <= 5n; v++) {
      await corruptMemoryFile(a2.memoryFile, 0x3000n, 4, v);
      await eventually(`hit ${v}`, async () => (await api.allHits({ watch_id: watch.id })).length === Number(v));
    }
    const three = json<any[]>(await cli(['hits', 'list', '--watch', watch.id, '--limit', '3', '-o', 'json']));
    expect(three.map((h) => h.new_value)).toEqual(['0x5', '0x4', '0x3']);
    const all = json<any[]>(await cli(['hits', 'list', '--watch', watch.id, '--limit', '1000', '-o', 'json']));
    expect(all).toHaveLength(5);
    await api.stopWatch(watch.id);
  });

  it('hits tail prints only hits produced after it started, each once, in order, and exits 0 on SIGINT', async () => {
    const watch = await api.createWatch({ target: { paddr: '0x2000' }, width: 4, condition: 'any_change', interval: '1ms', hosts: { ids: ['cli-a1'] } });
    await eventually('armed', async () => (await api.watch(watch.id)).counts.armed === 1);
    await corruptMemoryFile(a1.memoryFile, 0x2000n, 4, 0x10n);
    await eventually('the hit before the tail', async () => (await api.allHits({ watch_id: watch.id })).length === 1);

    const tail = startCli(['hits', 'tail', '--watch', watch.id, '--interval', '100ms', '-o', 'json']);
    await eventually('tail following', async () => tail.result.stderr.includes('following hits'));
    await corruptMemoryFile(a1.memoryFile, 0x2000n, 4, 0x11n);
    await eventually('the first new hit printed', async () => tail.result.stdout.split('\n').filter(Boolean).length >= 1);
    // Each later hit is printed by a later poll, which sees the earlier ones again: they must not repeat.
    for (const [value, lines] of [[0x12n, 2], [0x13n, 3]] as const) {
      await corruptMemoryFile(a1.memoryFile, 0x2000n, 4, value);
      await eventually(`hit ${lines} printed`, async () => tail.result.stdout.split('\n').filter(Boolean).length >= lines);
    }
    tail.child.kill('SIGINT');
    const res = await tail.done;
    expect(res.code, res.stderr).toBe(0);
    const printed = res.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(printed.map((h) => [h.old_value, h.new_value])).toEqual([['0x10', '0x11'], ['0x11', '0x12'], ['0x12', '0x13']]);
    await api.stopWatch(watch.id);
  });

  it('watch stop stops it; an unknown watch is exit 1 saying so', async () => {
    const stopped = json(await cli(['watch', 'stop', zeroPageWatch, '-o', 'json']));
    expect(stopped).toMatchObject({ id: zeroPageWatch, state: 'stopped' });
    expect((await api.watch(zeroPageWatch)).state).toBe('stopped');
    const missing = await cli(['watch', 'get', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('watch 999999 does not exist');
  });

  it('finds the server and token in the config file, and says which server it could not reach (exit 1)', async () => {
    const config = path.join(scratch, 'config.yaml');
    writeFileSync(config, `server: ${orch.url}\ntoken: ${orch.adminToken}\n`);
    const viaFile = await cli(['hosts', 'list', '-o', 'json'], { PHYSWATCH_SERVER: undefined, PHYSWATCH_TOKEN: undefined, PHYSWATCH_CONFIG: config });
    expect(json<any[]>(viaFile)).toHaveLength(3);

    const port = await freePort();
    const down = await cli(['watch', 'list', '--server', `http://127.0.0.1:${port}`], { PHYSWATCH_CONFIG: config });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach the physwatch server at http://127.0.0.1:${port} (from --server)`);
    expect(down.stderr).toContain('ECONNREFUSED');
  });
});
