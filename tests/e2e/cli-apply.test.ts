/**
 * `physwatch apply -f`, `watch create --dry-run` and `--wait`'s failure message, with the
 * built CLI against a real orchestrator and simulated agents: apply is idempotent by name,
 * follows a pause in the file, replaces a changed watch only with --replace, checks every
 * document before sending anything; a dry run shows the placement the server would make and
 * creates nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { runCli } from '../support/cli-process';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

let orch: Orchestrator;
let api: Api;
const agents: Agent[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'physwatch-apply-'));

const cli = (args: string[]) => runCli(orch, args);

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const activeNamed = async (name: string) => ((await api.request('GET', '/api/v1/watches?state=active')).body.items as Array<{ id: string; name: string | null }>).filter((w) => w.name === name);

const TWO = `name: apply-zero
target: { paddr: "0x4000" }
width: 4
condition: any_change
interval: 10ms
hosts: { selector: "suite=apply" }
---
name: apply-canary
target: { paddr: "0x5000" }
width: 1
condition: equals
value: 0x33
interval: 30ms
hosts: { selector: "suite=apply" }
rollout: { canary: 1, soak: 10m }
`;

beforeAll(async () => {
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  for (const id of ['apply-a', 'apply-b']) agents.push(await Agent.start({ server: orch.grpcAddress, hostId: id, labels: { suite: 'apply' }, extra: { facts: { enabled: false } } }));
  agents.push(await Agent.start({ server: orch.grpcAddress, hostId: 'apply-other', labels: { suite: 'elsewhere' }, extra: { facts: { enabled: false } } }));
  await eventually('three hosts online', async () => ((await api.request('GET', '/api/v1/hosts')).body.items as unknown[]).length === 3);
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await orch?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('watch create --dry-run', () => {
  it('shows the hosts the watch would be placed on and why the others would wait, and creates nothing', async () => {
    const before = ((await api.request('GET', '/api/v1/watches')).body.items as unknown[]).length;
    const res = await cli(['watch', 'create', '--dry-run', '--paddr', '0x6000', '--width', '4', '--condition', 'any_change', '--interval', '10ms', '--selector', 'suite=apply', '--canary', '1']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('dry run: the watch is valid; nothing was created.');
    // One canary, the scheduler's pick; the other selected host waits for it.
    const canary = /would be placed now on 1 host\(s\): (apply-[ab])\n/.exec(res.stdout)?.[1];
    expect(canary).toBeDefined();
    expect(res.stdout).toMatch(new RegExp(`${canary === 'apply-a' ? 'apply-b' : 'apply-a'}\\s+canary_soak\\s+waiting for canaries`));
    expect(res.stdout).not.toContain('apply-other');
    expect(((await api.request('GET', '/api/v1/watches')).body.items as unknown[]).length).toBe(before);

    const json = await cli(['-o', 'json', 'watch', 'create', '--dry-run', '--paddr', '0x6000', '--width', '4', '--condition', 'any_change', '--interval', '10ms', '--hosts', 'apply-a,apply-b']);
    expect(JSON.parse(json.stdout)).toMatchObject({ dry_run: true, placed: ['apply-a', 'apply-b'], waiting: [], spec: { target: { paddr: '0x6000' }, interval: '10ms' } });
    // The same validation as create: nothing reaches the server.
    const bad = await cli(['watch', 'create', '--dry-run', '--paddr', '0x6000', '--width', '3', '--condition', 'any_change', '--interval', '10ms', '--hosts', 'apply-a']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--width: /);
  });

  it('--wait that fails says the watch exists, stays active, and how to stop it', async () => {
    const res = await cli(['watch', 'create', '--name', 'nowhere-yet', '--paddr', '0x7000', '--width', '4', '--condition', 'any_change', '--interval', '10ms', '--selector', 'suite=none', '--wait', '--timeout', '2s']);
    expect(res.code).toBe(1);
    const [watch] = await activeNamed('nowhere-yet');
    expect(res.stderr).toContain(`watch ${watch.id} matches no host yet`);
    expect(res.stderr).toContain(`watch ${watch.id} (nowhere-yet) was created and stays active, action report, on hosts suite=none; hosts that match later still get it`);
    expect(res.stderr).toContain(`to stop it: physwatch watch stop ${watch.id}`);
  });
});

describe('apply -f', () => {
  it('creates what is missing, then changes nothing on a second run', async () => {
    const f = file('two.yaml', TWO);
    const first = await cli(['apply', '-f', f]);
    expect(first.code, first.stderr).toBe(0);
    const [zero] = await activeNamed('apply-zero');
    const [canary] = await activeNamed('apply-canary');
    expect(first.stdout).toBe(`watch ${zero.id} "apply-zero": created\nwatch ${canary.id} "apply-canary": created\n`);

    const again = await cli(['apply', '-f', f]);
    expect(again.stdout).toBe(`watch ${zero.id} "apply-zero": unchanged\nwatch ${canary.id} "apply-canary": unchanged\n`);
    expect(await activeNamed('apply-zero')).toHaveLength(1);
    expect(await activeNamed('apply-canary')).toHaveLength(1);
  });

  it('pauses and resumes to match the file, without replacing the watch', async () => {
    const [canary] = await activeNamed('apply-canary');
    const paused = await cli(['apply', '-f', file('paused.yaml', TWO.replace('rollout: { canary: 1, soak: 10m }', 'rollout: { canary: 1, soak: 10m, paused: true }'))]);
    expect(paused.stdout).toContain(`watch ${canary.id} "apply-canary": paused\n`);
    expect((await api.watch(canary.id)).rollout.paused).toBe(true);
    const resumed = await cli(['apply', '-f', file('two.yaml', TWO)]);
    expect(resumed.stdout).toContain(`watch ${canary.id} "apply-canary": resumed\n`);
    expect((await api.watch(canary.id)).rollout.paused).toBe(false);
  });

  it('a changed spec: refused naming the fields, shown by --dry-run, replaced with --replace', async () => {
    const [zero] = await activeNamed('apply-zero');
    const changed = file('changed.yaml', TWO.replace('interval: 10ms', 'interval: 1ms').replace('condition: any_change', 'condition: changes_from\nvalue: 0x0'));
    const refused = await cli(['apply', '-f', changed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`apply-zero: watch ${zero.id} differs in condition, interval, value`);
    expect(refused.stderr).toContain('nothing was changed');

    const dry = await cli(['apply', '--dry-run', '-f', changed]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`"apply-zero": would be replaced (stopping watch ${zero.id}; it differed in condition, interval, value)`);
    expect(dry.stdout).toContain('would be placed now on 2 host(s): apply-a, apply-b');
    expect(await activeNamed('apply-zero')).toEqual([zero]);

    const replaced = await cli(['apply', '--replace', '-f', changed]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const [now] = await activeNamed('apply-zero');
    expect(now.id).not.toBe(zero.id);
    expect(replaced.stdout).toContain(`watch ${now.id} "apply-zero": replaced (stopped watch ${zero.id}; it differed in condition, interval, value)`);
    expect((await api.watch(zero.id)).state).toBe('stopped');
    expect((await api.watch(now.id)).interval).toBe('1ms');
  });

  it('checks every document first: a missing name, a repeated name, a bad field — exit 2, nothing sent', async () => {
    const before = ((await api.request('GET', '/api/v1/watches')).body.items as unknown[]).length;
    const bad = file(
      'bad.yaml',
      `name: ok-one\ntarget: { paddr: "0x8000" }\nwidth: 4\ncondition: any_change\ninterval: 10ms\nhosts: { ids: [apply-a] }\n---\n` +
        `target: { paddr: "0x8000" }\nwidth: 4\ncondition: any_change\ninterval: 10ms\nhosts: { ids: [apply-a] }\n---\n` +
        `name: ok-one\ntarget: { paddr: "0x8000" }\nwidth: 4\ncondition: any_change\ninterval: 10ms\nhosts: { ids: [apply-a] }\n---\n` +
        `name: bad-width\ntarget: { paddr: "0x8000" }\nwidth: 3\ncondition: any_change\ninterval: 10ms\nhosts: { ids: [apply-a] }\n`,
    );
    const res = await cli(['apply', '-f', bad]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the file is not valid; nothing was sent:');
    expect(res.stderr).toContain(`${bad} document 2: name: required by apply, which finds the watch by its name`);
    expect(res.stderr).toContain(`${bad} document 3: name: "ok-one" is also the name of document 1`);
    expect(res.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, '\\.')} document 4: width: `));
    expect(((await api.request('GET', '/api/v1/watches')).body.items as unknown[]).length).toBe(before);
  });

  it('two active watches with the name: refused as ambiguous, nothing changed', async () => {
    for (let i = 0; i < 2; i++) await api.createWatch({ name: 'twice', target: { paddr: '0x9000' }, width: 4, condition: 'any_change', interval: '10ms', hosts: { ids: ['apply-a'] } });
    const res = await cli(['apply', '-f', file('twice.yaml', 'name: twice\ntarget: { paddr: "0x9000" }\nwidth: 4\ncondition: any_change\ninterval: 10ms\nhosts: { ids: [apply-a] }\n')]);
    expect(res.code).toBe(1);
    const ids = (await activeNamed('twice')).map((w) => w.id);
    expect(res.stderr).toContain(`twice: watches ${ids.join(', ')}`);
    expect(ids).toHaveLength(2);
  });
});
