/**
 * mode, funcs, rate, pci_bar and sentinel targets end to end with the real processes: REST refuses bad
 * ones naming the field, the CLI names the flag and exits 2, and placement keeps a watch off
 * a host whose Capabilities cannot hold it, with the reason in GET /watches/:id/hosts. The
 * hosts are simulated agents: timer mode only, no PCI BARs; one is configured with a
 * 24-bit physical address width (backend.physAddrBits), which it advertises in Hello.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { runCli } from '../support/cli-process';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';


const good = { target: { paddr: '0x2a0e000' }, width: 1, condition: 'any_change', interval: '30ms', hosts: { selector: 'suite=modes' } };

type Case = [string, Record<string, unknown>, string, RegExp];

const cases: Case[] = [
  ['unknown mode', { mode: 'kprobe' }, 'mode', /"kprobe" is not one of timer, ftrace, both/],
  ['ftrace without funcs', { mode: 'ftrace', interval: undefined }, 'funcs', /required for mode ftrace/],
  ['funcs with mode timer', { funcs: ['memset'] }, 'funcs', /only used by mode ftrace or both/],
  ['nine funcs', { mode: 'both', funcs: Array.from({ length: 9 }, (_, i) => `f${i}`) }, 'funcs', /1 to 8 kernel function names/],
  ['a func that is no name', { mode: 'both', funcs: ['memset', 'memset action=panic'] }, 'funcs[1]', /not a kernel function name/],
  ['a func name of 128 characters', { mode: 'both', funcs: [`f${'x'.repeat(127)}`] }, 'funcs[0]', /the module takes at most 127/],
  ['an interval with mode ftrace', { mode: 'ftrace', funcs: ['memset'] }, 'interval', /mode ftrace runs no timer/],
  ['rate 0', { rate: 0 }, 'rate', /0 is not a limit/],
  ['rate as text', { rate: 'fast' }, 'rate', /not a whole number from 1 to 2147483647/],
  ['rate above the module bound', { rate: 2 ** 31 }, 'rate', /from 1 to 2147483647/],
  ['pci_bar device out of range', { target: { pci_bar: { device: '0000:00:20.0', bar: 2 } } }, 'target.pci_bar.device', /not a PCI device/],
  ['pci_bar bar 6', { target: { pci_bar: { device: '0000:00:04.0', bar: 6 } } }, 'target.pci_bar.bar', /not a BAR number from 0 to 5/],
  ['pci_bar offset misaligned', { width: 4, target: { pci_bar: { device: '0000:00:04.0', bar: 2, offset: '0x22' } } }, 'target.pci_bar.offset', /not a multiple of width 4/],
  ['sentinel pages 0', { target: { sentinel: { pages: 0 } } }, 'target.sentinel.pages', /0 is not a whole number from 1 to 16/],
  ['sentinel pages 17', { target: { sentinel: { pages: 17 } } }, 'target.sentinel.pages', /from 1 to 16/],
  ['sentinel pattern wider than width', { target: { sentinel: { pages: 1, pattern: '0x100' } } }, 'target.sentinel.pattern', /0x100 is wider than width 1/],
  ['sentinel with len', { target: { sentinel: { pages: 1 } }, len: 4096 }, 'len', /not used by a sentinel target/],
  ['pci_bar and paddr', { target: { paddr: '0x1000', pci_bar: { device: '0000:00:04.0', bar: 2 } } }, 'target', /exactly one of "paddr", "symbol", "pci_bar" or "sentinel"/],
];

let orch: Orchestrator;
let api: Api;
const agents: Agent[] = [];

const cli = (args: string[]) => runCli(orch, args);

async function pendingOf(watchId: string): Promise<Map<string, { reason: string; message: string }>> {
  const res = await api.request('GET', `/api/v1/watches/${watchId}/hosts`);
  expect(res.status).toBe(200);
  return new Map(res.body.pending.map((p: { host_id: string; reason: string; message: string }) => [p.host_id, p]));
}

beforeAll(async () => {
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  const narrowDir = mkdtempSync(path.join(tmpdir(), 'physwatch-agent-modes-narrow-'));
  agents.push(await Agent.start({ server: orch.grpcAddress, hostId: 'modes-wide', labels: { suite: 'modes' } }));
  agents.push(
    await Agent.start({
      server: orch.grpcAddress,
      hostId: 'modes-narrow',
      labels: { suite: 'modes' },
      stateDir: narrowDir,
      extra: { backend: { kind: 'simulated', memoryFile: path.join(narrowDir, 'sim-memory'), memorySize: 64 * 1024 * 1024, physAddrBits: 24 } },
    }),
  );
  await eventually('both hosts connected', async () => {
    const res = await api.request('GET', '/api/v1/hosts');
    return res.body.items?.filter((h: any) => h.connected && h.labels.suite === 'modes').length === 2;
  });
});

afterAll(async () => {
  for (const a of agents) await a.stop('SIGKILL');
  await orch?.stop('SIGKILL');
});

describe('POST /api/v1/watches: mode, funcs, rate, pci_bar', () => {
  it.each(cases)('%s → 400 naming %s', async (_what, change, field, reason) => {
    const res = await api.request('POST', '/api/v1/watches', { ...good, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_watch_spec');
    const named = res.body.errors.find((e: { field: string }) => e.field === field);
    expect(named, JSON.stringify(res.body.errors)).toBeDefined();
    expect(named.reason).toMatch(reason);
  });

  it('stores and re-prints the new fields', async () => {
    const created = await api.createWatch({ ...good, mode: 'both', funcs: ['memset'], rate: 25, hosts: { ids: ['nowhere'] } });
    expect(created).toMatchObject({ mode: 'both', funcs: ['memset'], rate: 25, interval: '30ms' });
    const bar = await api.createWatch({ ...good, width: 4, target: { pci_bar: { device: '0:0:4.0', bar: 2, offset: '32' } }, hosts: { ids: ['nowhere'] } });
    expect(bar.target).toEqual({ pci_bar: { device: '0000:00:04.0', bar: 2, offset: '0x20' } });
    expect((await api.watch(bar.id)).target).toEqual(bar.target);
    const sentinel = await api.createWatch({ ...good, width: 4, target: { sentinel: { pages: 4 } }, hosts: { ids: ['nowhere'] } });
    expect(sentinel.target).toEqual({ sentinel: { pages: 4, pattern: '0x5a5a5a5a' } });
    expect(sentinel.len).toBeUndefined();
    expect((await api.watch(sentinel.id)).target).toEqual(sentinel.target);
  });
});

describe('the CLI names the flag and exits 2', () => {
  it.each([
    [['--mode', 'ftrace'], /--funcs: required for mode ftrace/],
    [['--rate', '0', '--interval', '30ms'], /--rate: 0 is not a limit/],
    [['--pci-bar', '0000:00:04.0/9', '--interval', '30ms'], /--pci-bar: 9 is not a BAR number from 0 to 5/],
    [['--sentinel', '2', '--pattern', '0x1ffffffff', '--interval', '30ms'], /--pattern: 0x1ffffffff is wider than width 4/],
  ])('watch create %j', async (flags, message) => {
    const ownTarget = flags.includes('--pci-bar') || flags.includes('--sentinel');
    const res = await cli(['watch', 'create', '--width', '4', '--condition', 'any_change', '--hosts', 'h1', ...(ownTarget ? [] : ['--paddr', '0x1000']), ...flags]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});

describe('placement by what each host can hold', () => {
  it('advertises the simulated capabilities in Hello: timer only, no PCI BARs, the configured address width', async () => {
    const narrow = await api.host('modes-narrow');
    expect(narrow.capabilities).toMatchObject({ backend: 'simulated', modes: ['WATCH_MODE_TIMER'], target_kinds: ['TARGET_KIND_PADDR', 'TARGET_KIND_SYMBOL'], phys_addr_bits: 24 });
    expect((await api.host('modes-wide')).capabilities).toMatchObject({ phys_addr_bits: 0 });
  });

  it('keeps an ftrace watch off timer-only hosts, with the reason in GET /watches/:id/hosts', async () => {
    const watch = await api.createWatch({ ...good, interval: undefined, mode: 'ftrace', funcs: ['memset'] });
    const pending = await pendingOf(watch.id);
    for (const host of ['modes-wide', 'modes-narrow']) {
      expect(pending.get(host)).toEqual({ host_id: host, reason: 'unsupported', message: "mode ftrace is not among this host's modes (timer)" });
    }
    expect((await api.watch(watch.id)).assignments).toEqual([]);
  });

  it('keeps a pci_bar watch off hosts that list no such target kind', async () => {
    const watch = await api.createWatch({ ...good, width: 4, target: { pci_bar: { device: '0000:00:04.0', bar: 2 } } });
    expect((await pendingOf(watch.id)).get('modes-wide')).toMatchObject({ reason: 'unsupported', message: "pci_bar targets are not among this host's target kinds (paddr, symbol)" });
  });

  it('keeps a sentinel watch off simulated hosts (they allocate no sentinel pages), naming sentinel', async () => {
    const watch = await api.createWatch({ ...good, width: 8, target: { sentinel: { pages: 2 } } });
    const pending = await pendingOf(watch.id);
    for (const host of ['modes-wide', 'modes-narrow']) {
      expect(pending.get(host)).toEqual({ host_id: host, reason: 'unsupported', message: "sentinel targets are not among this host's target kinds (paddr, symbol)" });
    }
  });

  it('places a paddr beyond 24 bits only on the host that can address it, and says why not on the other', async () => {
    const watch = await api.createWatch({ ...good, target: { paddr: '0x1000000' }, rate: 5 });
    await eventually('armed on the wide host', async () => (await api.watch(watch.id)).assignments?.some((a: any) => a.host_id === 'modes-wide' && a.phase === 'armed'));
    const detail = await api.watch(watch.id);
    expect(detail.assignments.map((a: any) => a.host_id)).toEqual(['modes-wide']);
    expect((await pendingOf(watch.id)).get('modes-narrow')).toEqual({
      host_id: 'modes-narrow',
      reason: 'unsupported',
      message: "paddr 0x1000000 is beyond this host's 24 physical address bits",
    });
    // Just below the width, the narrow host takes it.
    const below = await api.createWatch({ ...good, target: { paddr: '0xfffffc' }, width: 4, len: 4 });
    await eventually('armed on both hosts', async () => (await api.watch(below.id)).assignments?.filter((a: any) => a.phase === 'armed').length === 2);
  });
});
