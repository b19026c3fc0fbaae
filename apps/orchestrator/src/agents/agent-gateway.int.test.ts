import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlMessage__Output } from '@physwatch/proto';
import { eventually } from '@physwatch/testing/eventually';
import { TestAgent, wireHit } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

let orch: TestOrchestrator;
const agents: TestAgent[] = [];

function agent(): TestAgent {
  const a = new TestAgent(orch.grpcAddress);
  agents.push(a);
  return a;
}

const ZERO_PAGE = { target: { paddr: '0x2a0e000' }, width: 1, condition: 'equals', value: '0x33', interval: '30ms' };

beforeAll(async () => {
  // The scheduler's own tests cover its tick; here it would only add a concurrent pass.
  orch = await startTestOrchestrator({ SCHEDULER_TICK_MS: '3600000' });
});

afterAll(async () => {
  for (const a of agents) a.close();
  await orch?.close();
});

describe('AgentGateway.Connect', () => {
  let a1: TestAgent;
  let watchId: string;
  let generation: bigint;

  it('answers Hello with the full desired state and records the host as connected', async () => {
    a1 = agent();
    // Hits are stored only under boots the host announced: boot-2 and boot-3 as earlier boots its spool still holds.
    a1.hello('gw-1', { rack: 'r1', role: 'db' }, { spooled_boot_ids: ['boot-2', 'boot-3'] });
    const desired = await a1.nextDesired();
    expect(desired.watches).toEqual([]);
    generation = BigInt(desired.generation);
    expect(generation).toBeGreaterThan(0n);
    const host = await orch.http('GET', '/api/v1/hosts/gw-1');
    expect(host.status).toBe(200);
    expect(Object.keys(host.body).sort()).toEqual([
      'agent_version', 'applied_generation', 'arch', 'boot_id', 'capabilities', 'connected', 'desired_generation', 'first_seen_at',
      'host_labels', 'hostname', 'id', 'kdump', 'kernel_release', 'labels', 'last_seen_at', 'online', 'operator_labels', 'watches',
    ]);
    expect(host.body).toMatchObject({
      id: 'gw-1', connected: true, online: true, labels: { rack: 'r1', role: 'db' }, host_labels: { rack: 'r1', role: 'db' }, operator_labels: {},
      boot_id: 'boot-1', kdump: null, watches: [],
    });
  });

  it('sends a new desired state with a watch created over REST for a matching selector', async () => {
    const created = await orch.http('POST', '/api/v1/watches', { ...ZERO_PAGE, name: 'zp', hosts: { selector: 'rack=r1' } });
    expect(created.status).toBe(201);
    watchId = created.body.id;
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9]+$/),
      state: 'active',
      created_at: expect.any(String),
      ended_at: null,
      name: 'zp',
      target: { paddr: '0x2a0e000' },
      width: 1,
      len: 1,
      condition: 'equals',
      value: '0x33',
      interval: '30ms',
      mode: 'timer',
      rate: null,
      action: 'report',
      hosts: { selector: 'rack=r1' },
      expires_at: null,
      max_hits: null,
      starts_at: null,
      max_hits_per_host: null,
      kdump_on_hit: false,
      rollout: { canary: 0, soak: '5m', percent: 100, max_hosts: null, paused: false, allow_wide_destructive: false },
      counts: { pending: 1, armed: 0, failed: 0, disarmed: 0 },
    });

    const desired = await a1.nextDesired();
    expect(BigInt(desired.generation)).toBeGreaterThan(generation);
    generation = BigInt(desired.generation);
    expect(desired.watches).toEqual([
      expect.objectContaining({ watch_id: watchId, paddr: String(0x2a0e000), width: 1, len: 1, condition: 'CONDITION_EQUALS', value: '51', interval_us: '30000', action: 'ACTION_REPORT', max_hits: 0 }),
    ]);
  });

  it('records watch states and heartbeats', async () => {
    a1.send({ watch_states: { generation: String(generation), states: [{ watch_id: watchId, phase: 'WATCH_PHASE_ARMED', resolved_paddr: String(0x2a0e000), memory_kind: 'MEMORY_KIND_RAM', reason: '' }] } });
    a1.send({ heartbeat: { sent_at_unix_ms: String(Date.now()), applied_generation: String(generation), unacked_hits: '0' } });
    await eventually('heartbeat recorded', async () => (await orch.http('GET', '/api/v1/hosts/gw-1')).body.applied_generation === String(generation));
    const watch = await orch.http('GET', `/api/v1/watches/${watchId}`);
    expect(watch.body.counts).toEqual({ pending: 0, armed: 1, failed: 0, disarmed: 0 });
    expect(watch.body.assignments).toEqual([expect.objectContaining({ host_id: 'gw-1', phase: 'armed', resolved_paddr: '0x2a0e000', memory_kind: 'ram', reason: '' })]);
    const host = await orch.http('GET', '/api/v1/hosts/gw-1');
    expect(host.body.watches).toEqual([expect.objectContaining({ watch_id: watchId, phase: 'armed' })]);
  });

  it('stores a hit batch, acks the highest seq after the insert, and stores a re-sent batch once', async () => {
    const batch = { boot_id: 'boot-1', hits: [wireHit(3, watchId), wireHit(1, watchId), wireHit(2, watchId, { old_value: '18446744073709551615', last_old_boottime_ns: '1500' })] };
    a1.send({ hit_batch: batch });
    expect(await a1.nextAck()).toEqual({ boot_id: 'boot-1', up_to_seq: '3', rejected: [] });
    const hits = await orch.http('GET', `/api/v1/hits?watch_id=${watchId}`);
    expect(hits.body.items.map((h: any) => h.seq).sort()).toEqual(['1', '2', '3']);
    expect(hits.body.next_cursor).toBeNull();
    expect(Object.keys(hits.body.items[0]).sort()).toEqual([
      'action', 'boot_id', 'boottime_ns', 'bracket_ns', 'comm', 'cpu', 'host_id', 'id', 'ip', 'last_old_boottime_ns', 'module_seq', 'new_value', 'occurred_at', 'offset', 'old_value',
      'paddr', 'pid', 'realtime_ns', 'received_at', 'seq', 'smi_count', 'source', 'stack', 'watch_id', 'width', 'writer', 'writer_reason',
    ]);
    expect(hits.body.items.find((h: any) => h.seq === '2')).toMatchObject({
      host_id: 'gw-1', boot_id: 'boot-1', watch_id: watchId, paddr: '0x2a0e000', old_value: '0xffffffffffffffff', new_value: '0x33',
      cpu: 1, pid: 42, comm: 'kworker/1:0', ip: 'memset+0x10', action: 'report', occurred_at: '2026-01-01T00:00:02.000Z', realtime_ns: String(BigInt(Date.UTC(2026, 0, 1, 0, 0, 2)) * 1_000_000n),
      boottime_ns: '2000', last_old_boottime_ns: '1500', bracket_ns: '500',
    });
    // Sent without one (proto3's 0): no bracket, never a time of 0.
    expect(hits.body.items.find((h: any) => h.seq === '1')).toMatchObject({ last_old_boottime_ns: null, bracket_ns: null });

    const duplicatesBefore = await orch.metrics.value(orch.metrics.hitsDuplicate);
    a1.send({ hit_batch: batch });
    expect(await a1.nextAck()).toEqual({ boot_id: 'boot-1', up_to_seq: '3', rejected: [] });
    expect((await orch.http('GET', `/api/v1/hits?watch_id=${watchId}`)).body.items).toHaveLength(3);
    expect((await orch.metrics.value(orch.metrics.hitsDuplicate)) - duplicatesBefore).toBe(3);
    expect(await orch.metrics.value(orch.metrics.hitsStored)).toBe(3);
    const scrape = await orch.http('GET', '/metrics');
    expect(scrape.body).toMatch(/^physwatch_hits_duplicate_total 3$/m);
    expect(scrape.body).toMatch(/^physwatch_agents_connected 1$/m);
  });

  it('pages hits over REST with an opaque cursor', async () => {
    a1.send({ hit_batch: { boot_id: 'boot-2', hits: Array.from({ length: 9 }, (_, i) => wireHit(i + 1, watchId)) } });
    await a1.nextAck();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await orch.http('GET', `/api/v1/hits?host_id=gw-1&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((h: any) => h.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect([...seen].sort((x, y) => Number(y) - Number(x))).toEqual(seen);
  });

  it('sends a desired state without the watch when it is stopped', async () => {
    const stopped = await orch.http('POST', `/api/v1/watches/${watchId}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ id: watchId, state: 'stopped' });
    const desired = await a1.nextDesired();
    expect(desired.watches).toEqual([]);
    expect(BigInt(desired.generation)).toBeGreaterThan(generation);
    const again = await orch.http('POST', `/api/v1/watches/${watchId}/stop`);
    expect(again.body).toEqual(stopped.body);
    expect((await orch.http('GET', `/api/v1/watches/${watchId}`)).body.assignments).toEqual([expect.objectContaining({ phase: 'removed' })]);
  });

  it('places a watch listed by host id on that host when it connects later', async () => {
    const created = await orch.http('POST', '/api/v1/watches', { ...ZERO_PAGE, hosts: { ids: ['gw-late'] } });
    expect(created.body.counts.pending).toBe(0);
    const late = agent();
    late.hello('gw-late');
    expect((await late.nextDesired()).watches.map((w) => w.watch_id)).toEqual([created.body.id]);
    await orch.http('POST', `/api/v1/watches/${created.body.id}/stop`);
    expect((await late.nextDesired()).watches).toEqual([]);
  });

  it('ends a watch as exhausted once stored hits reach max_hits, and disarms it', async () => {
    const created = await orch.http('POST', '/api/v1/watches', { ...ZERO_PAGE, max_hits: 2, hosts: { selector: 'role=db' } });
    const armed = await a1.nextDesired();
    expect(armed.watches).toEqual([expect.objectContaining({ watch_id: created.body.id, max_hits: 2 })]);
    a1.send({ hit_batch: { boot_id: 'boot-3', hits: [wireHit(1, created.body.id), wireHit(2, created.body.id)] } });
    // The emptied desired state (NOTIFY from the watch ending) and the ack (after the insert
    // returns) race each other: wait for both, in either order, and leave nothing unread.
    const ackOrEmptied = (m: ControlMessage__Output) => m.msg === 'hit_ack' || (m.msg === 'desired_state' && m.desired_state!.watches.length === 0);
    const firstSeen = await a1.next(ackOrEmptied);
    const secondSeen = await a1.next(ackOrEmptied);
    expect([firstSeen.msg, secondSeen.msg].sort()).toEqual(['desired_state', 'hit_ack']);
    expect([firstSeen, secondSeen].find((m) => m.msg === 'hit_ack')!.hit_ack).toEqual({ boot_id: 'boot-3', up_to_seq: '2', rejected: [] });
    expect((await orch.http('GET', `/api/v1/watches/${created.body.id}`)).body.state).toBe('exhausted');
  });

  it('ends a watch as expired at expires_at through the delayed job, and disarms it', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const created = await orch.http('POST', '/api/v1/watches', { ...ZERO_PAGE, expires_at: expiresAt, hosts: { selector: 'rack=r1' } });
    expect(created.status).toBe(201);
    expect((await a1.nextDesired()).watches.map((w) => w.watch_id)).toEqual([created.body.id]);
    expect((await a1.nextDesired()).watches).toEqual([]);
    // One endWatch did both: recorded it as expired and took it off the host's desired set.
    await eventually('watch recorded as expired', async () => (await orch.http('GET', `/api/v1/watches/${created.body.id}`)).body.state === 'expired');
    expect((await orch.http('GET', `/api/v1/watches/${created.body.id}`)).body).toMatchObject({ state: 'expired', expires_at: expiresAt });
  });

  it('ends a stream whose first message is not Hello with INVALID_ARGUMENT naming the problem', async () => {
    const rogue = agent();
    rogue.send({ heartbeat: { sent_at_unix_ms: '1', applied_generation: '0', unacked_hits: '0' } });
    const ended = await rogue.ended;
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.details).toMatch(/first message must be Hello, got heartbeat/);
  });

  it('lets the newest stream for a host win, and keeps the host connected when the old one ends', async () => {
    const before = await orch.metrics.value(orch.metrics.agentsConnected);
    const old = agent();
    old.hello('gw-dup');
    await old.nextDesired();
    const fresh = agent();
    fresh.hello('gw-dup', {}, { boot_id: 'boot-9' });
    await fresh.nextDesired();
    const ended = await old.ended;
    expect(ended.code).toBe(status.ABORTED);
    expect(ended.details).toMatch(/superseded/);
    await eventually('old stream bookkeeping done', async () => (await orch.metrics.value(orch.metrics.agentsConnected)) === before + 1);
    expect((await orch.http('GET', '/api/v1/hosts/gw-dup')).body).toMatchObject({ connected: true, boot_id: 'boot-9' });

    fresh.close();
    await fresh.ended;
    await eventually('marked disconnected', async () => (await orch.http('GET', '/api/v1/hosts/gw-dup')).body.connected === false);
    expect((await orch.http('GET', '/api/v1/hosts/gw-dup')).body.online).toBe(false);
  });
});
