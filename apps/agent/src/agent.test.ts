/**
 * The agent against a TEST DOUBLE of the orchestrator: a real in-process grpc-js server
 * implementing AgentGateway on 127.0.0.1 (see test-support/fake-orchestrator.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArmSpec, parseWatchSpec } from '@physwatch/core';
import { HitBatch__Output, toWireWatch, WatchStates__Output } from '@physwatch/proto';
import { Agent } from './agent';
import { corruptMemoryFile } from './backend/simulated/memory-file';
import type { AgentConfig } from './config/schema';
import { FakeOrchestrator, Received } from './test-support/fake-orchestrator';
import { agentConfig, armSpec, removeTempDirs, simulated, tempDir, testLog } from './test-support/fixtures';
import { AGENT_VERSION } from './version';

const statesFor = (generation: string) => (r: Received): WatchStates__Output | undefined =>
  r.message.watch_states?.generation === generation ? r.message.watch_states : undefined;
const batchWith = (seq: string, from = 0) => (r: Received): HitBatch__Output | undefined =>
  r.stream >= from && r.message.hit_batch?.hits.some((h) => h.seq === seq) ? r.message.hit_batch : undefined;

describe('agent <-> AgentGateway (in-process test double of the orchestrator)', () => {
  let fake: FakeOrchestrator;
  let stateDir: string;
  let config: AgentConfig;
  const agents: Agent[] = [];

  async function startAgent(overrides: Record<string, unknown> = {}): Promise<Agent> {
    const agent = await Agent.start({ ...config, ...overrides } as AgentConfig, testLog);
    agents.push(agent);
    return agent;
  }

  function desire(generation: string, specs: ArmSpec[]): void {
    fake.setDesired({ generation, watches: specs.map(toWireWatch) });
  }

  beforeEach(async () => {
    fake = await FakeOrchestrator.start();
    stateDir = tempDir();
    config = agentConfig(stateDir, { server: `127.0.0.1:${fake.port}`, labels: { rack: 'r12' }, drainTimeoutMs: 500 });
  });

  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    await fake.stop();
    removeTempDirs();
  });

  it('says Hello first with its identity and capabilities', async () => {
    await startAgent();
    const first = await fake.waitFor((r) => r, 'first message');
    expect(first.message.msg).toBe('hello');
    expect(first.message.hello).toMatchObject({
      host_id: 'test-host',
      boot_id: 'boot-a',
      hostname: os.hostname(),
      kernel_release: os.release(),
      arch: os.machine(),
      agent_version: AGENT_VERSION,
      labels: { rack: 'r12' },
      capabilities: {
        backend: 'simulated',
        min_interval_us: '1000',
        target_kinds: ['TARGET_KIND_PADDR', 'TARGET_KIND_SYMBOL'],
        actions: ['ACTION_REPORT', 'ACTION_STACK'],
      },
    });
  });

  it('a kernel agent says it holds sentinels, and a sentinel watch in REST JSON reaches its module as sentinel= pattern= (no len=)', async () => {
    // The module's files as plain files (kernel-backend.test.ts does the same): /proc lists the watch once added.
    const dir = tempDir();
    const proc = path.join(dir, 'proc');
    fs.writeFileSync(path.join(dir, 'dev'), '');
    fs.writeFileSync(proc, 'physwatch seq=0 lost=0 watches=0 phys_bits=46\n');
    const body = { target: { sentinel: { pages: 4, pattern: '0xa5a5a5a5' } }, width: 4, condition: 'any_change', interval: '1ms', hosts: { ids: ['test-host'] } };
    const spec = parseWatchSpec(body);
    fake.desired = { generation: '5', watches: [toWireWatch({ ...spec, watchId: '40' })] };
    fs.appendFileSync(proc, 'id=40 state=armed target=sentinel=4 paddr=0x3f2a000 kind=ram len=16384 width=4 cond=any_change value=0x0 mask=0xffffffff interval_us=1000 action=report mode=timer polls=0 hits=0 last=0xa5a5a5a5 err=none\n');
    const files = { device: path.join(dir, 'dev'), status: proc, kmsg: path.join(dir, 'kmsg'), sysModuleDir: path.join(dir, 'sys'), watchFile: path.join(dir, 'watches.json') };
    await startAgent({ backend: { kind: 'kernel', load: 'none', readIntervalMs: 5, ...files } });
    const hello = await fake.waitFor((r) => r.message.hello, 'hello');
    expect(hello?.capabilities?.target_kinds).toContain('TARGET_KIND_SENTINEL');
    const states = await fake.waitFor(statesFor('5'), 'watch states of generation 5');
    expect(states.states).toEqual([expect.objectContaining({ watch_id: '40', phase: 'WATCH_PHASE_ARMED', resolved_paddr: String(0x3f2a000), memory_kind: 'MEMORY_KIND_RAM' })]);
    expect(fs.readFileSync(path.join(dir, 'dev'), 'utf8')).toBe('add id=40 sentinel=4 pattern=0xa5a5a5a5 width=4 cond=any_change interval_us=1000 action=report max_hits=0\n');
  });

  it('arms the desired set, reports states, relays a corruption as a numbered hit, heartbeats', async () => {
    fake.desired = {
      generation: '3',
      watches: [
        toWireWatch(armSpec({ watchId: '10', condition: 'equals', value: 0x33n, target: { kind: 'symbol', name: 'empty_zero_page', offset: 0n } })),
        toWireWatch(armSpec({ watchId: '11', target: { kind: 'symbol', name: 'missing_symbol', offset: 0n } })),
      ],
    };
    const agent = await startAgent();
    const states = await fake.waitFor(statesFor('3'), 'watch states of generation 3');
    expect(states.states).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ watch_id: '10', phase: 'WATCH_PHASE_ARMED', resolved_paddr: String(0x2000), memory_kind: 'MEMORY_KIND_RAM' }),
        expect.objectContaining({ watch_id: '11', phase: 'WATCH_PHASE_FAILED', reason: expect.stringContaining('missing_symbol') }),
      ]),
    );

    await corruptMemoryFile(simulated(config).memoryFile, 0x2000n, 1, 0x33n);
    const batch = await fake.waitFor(batchWith('1'), 'hit seq 1');
    expect(batch.boot_id).toBe('boot-a');
    expect(batch.hits[0]).toMatchObject({ seq: '1', watch_id: '10', paddr: String(0x2000), old_value: '0', new_value: String(0x33), width: 1, offset: 0, action: 'ACTION_REPORT', module_seq: '0' });

    const beat = await fake.waitFor((r) => (r.message.heartbeat?.applied_generation === '3' ? r.message.heartbeat : undefined), 'heartbeat');
    expect(Number(beat.unacked_hits)).toBeGreaterThanOrEqual(0);
    // Only the kernel backend can lose or suppress events; the simulated one reports zeros.
    expect([beat.module_lost_events, beat.module_suppressed_hits]).toEqual(['0', '0']);
    expect(agent.unackedHits).toBe(1);
    fake.ack('boot-a', '1');
    await fake.waitFor((r) => (r.message.heartbeat?.unacked_hits === '0' ? true : undefined), 'heartbeat with nothing unacked');
    expect(agent.unackedHits).toBe(0);
  });

  it('re-arms changed watches, drops removed ones and reports max_hits as disarmed', async () => {
    desire('1', [armSpec({ watchId: '1' }), armSpec({ watchId: '2', target: { kind: 'paddr', paddr: 0x3000n }, maxHits: 1 })]);
    await startAgent();
    await fake.waitFor(statesFor('1'), 'generation 1');

    await corruptMemoryFile(simulated(config).memoryFile, 0x3000n, 1, 0x5n);
    const disarmed = await fake.waitFor(
      (r) => r.message.watch_states?.states.find((s) => s.watch_id === '2' && s.phase === 'WATCH_PHASE_DISARMED'),
      'watch 2 disarmed after max_hits',
    );
    expect(disarmed.reason).toBe('max_hits 1 reached');

    // The same set again (a reconnect re-sends it): an exhausted watch must stay down.
    desire('5', [armSpec({ watchId: '1' }), armSpec({ watchId: '2', target: { kind: 'paddr', paddr: 0x3000n }, maxHits: 1 })]);
    const again = await fake.waitFor(statesFor('5'), 'generation 5');
    expect(again.states.find((s) => s.watch_id === '2')).toMatchObject({ phase: 'WATCH_PHASE_DISARMED' });

    desire('2', [armSpec({ watchId: '1', target: { kind: 'paddr', paddr: 0x1008n } })]);
    const states = await fake.waitFor(statesFor('2'), 'generation 2');
    expect(states.states).toEqual([expect.objectContaining({ watch_id: '1', phase: 'WATCH_PHASE_ARMED', resolved_paddr: String(0x1008) })]);
  });

  it('re-sends unacked hits with the same seqs after a restart on the same state dir, then drops them on ack', async () => {
    desire('1', [armSpec({ watchId: '5', width: 4, len: 8 })]);
    fake.autoAck = false;
    const first = await startAgent();
    await fake.waitFor(statesFor('1'), 'generation 1');
    await corruptMemoryFile(simulated(config).memoryFile, 0x1000n, 4, 0xaan);
    await corruptMemoryFile(simulated(config).memoryFile, 0x1004n, 4, 0xbbn);
    const sent = await fake.waitFor((r) => {
      const hits = fake.received.flatMap((x) => x.message.hit_batch?.hits ?? []);
      return r.message.hit_batch && hits.length >= 2 ? hits : undefined;
    }, 'two hits');
    await first.stop(); // no ack came: the hits must stay spooled

    const streamsBefore = fake.streams;
    const second = await startAgent();
    const resent = await fake.waitFor(
      (r) => (r.stream >= streamsBefore && r.message.hit_batch ? r.message.hit_batch : undefined),
      'hits re-sent by the restarted agent',
    );
    expect(resent.boot_id).toBe('boot-a');
    expect(resent.hits.map((h) => [h.seq, h.paddr, h.new_value])).toEqual(sent.map((h) => [h.seq, h.paddr, h.new_value]));
    expect(resent.hits.map((h) => h.seq)).toEqual(['1', '2']);

    fake.ack('boot-a', '2');
    await fake.waitFor((r) => (r.stream >= streamsBefore && r.message.heartbeat?.unacked_hits === '0' ? true : undefined), 'spool empty');
    expect(second.unackedHits).toBe(0);
  });

  it('refuses a second agent on a state dir in use, and lets one start after the first stopped', async () => {
    const first = await startAgent();
    expect(first.state).toBe('running');
    await expect(Agent.start(config, testLog)).rejects.toThrow(/is in use by agent pid/);
    await first.stop();
    expect(first.state).toBe('stopped');
    await startAgent();
  });

  it('reconnects after the orchestrator restarts: Hello again, desired state again, nothing lost', async () => {
    desire('4', [armSpec({ watchId: '9' })]);
    fake.autoAck = true;
    await startAgent();
    await fake.waitFor(statesFor('4'), 'generation 4');

    await fake.restart();
    const hello = await fake.waitFor((r) => (r.stream >= 1 && r.message.hello ? r.message.hello : undefined), 'hello on a new stream');
    expect(hello.host_id).toBe('test-host');
    await fake.waitFor((r) => (r.stream >= 1 ? statesFor('4')(r) : undefined), 'states answering the re-sent desired state');

    await corruptMemoryFile(simulated(config).memoryFile, 0x1000n, 1, 0x7n);
    const batch = await fake.waitFor(batchWith('1', 1), 'hit after reconnect');
    expect(batch.hits[0]).toMatchObject({ watch_id: '9', new_value: '7' });
  });

  it('keeps watching and spooling while the orchestrator is down, and delivers on return', async () => {
    desire('1', [armSpec({ watchId: '3' })]);
    const agent = await startAgent();
    await fake.waitFor(statesFor('1'), 'generation 1');
    await fake.stop();
    await corruptMemoryFile(simulated(config).memoryFile, 0x1000n, 1, 0x1n);
    while (agent.unackedHits < 1) await new Promise((resolve) => setTimeout(resolve, 20));

    const streamsBefore = fake.streams;
    await fake.restart();
    const batch = await fake.waitFor(batchWith('1', streamsBefore), 'spooled hit delivered after reconnect');
    expect(batch.hits[0]).toMatchObject({ watch_id: '3', new_value: '1' });
  });
});
