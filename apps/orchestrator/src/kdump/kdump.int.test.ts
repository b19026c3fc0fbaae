// The kdump jobs' timeouts and refusals, driven by in-process agents over real gRPC: each
// test agent answers (or fails to answer) the CrashRequest exactly as the case needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@physwatch/testing/eventually';
import { TestAgent, wireHit } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

let orch: TestOrchestrator;
/** A second replica on the same schema, queue and NOTIFY channel. */
let replica: TestOrchestrator;
let watchId: string;
const agents: TestAgent[] = [];
const HOSTS = ['to-silent', 'to-noboot', 'to-nodump', 'to-stale', 'to-backnoreply', 'to-moved'];
const ENV = {
  SCHEDULER_TICK_MS: '500',
  KDUMP_BUDGETS: '[{"selector":"suite=kdump-int","max_concurrent":10,"max_per_hour":10}]',
  KDUMP_REPLY_TIMEOUT_MS: '300',
  KDUMP_REBOOT_TIMEOUT_MS: '1500',
  KDUMP_COLLECT_TIMEOUT_MS: '1500',
};
const READY = { crash_kernel_loaded: true, crash_allowed: true, policy_source: '/etc/physwatch/agent.json' };

function connect(hostId: string, bootId = 'boot-1', to = orch): TestAgent {
  const a = new TestAgent(to.grpcAddress);
  agents.push(a);
  a.hello(hostId, { suite: 'kdump-int' }, { boot_id: bootId, kdump: READY });
  return a;
}

/** A hit of the kdump watch from `agent`, then the CrashRequest it brings. */
async function hitAndRequest(agent: TestAgent) {
  await agent.nextDesired();
  agent.send({ hit_batch: { boot_id: 'boot-1', hits: [wireHit(1, watchId)] } });
  return (await agent.next((m) => m.msg === 'crash_request')).crash_request!;
}

async function job(hostId: string, state: string): Promise<any> {
  return eventually(`kdump job of ${hostId} ${state}`, async () => {
    const { body } = await orch.http('GET', `/api/v1/kdump-jobs?host_id=${hostId}`);
    return body.items[0]?.state === state ? body.items[0] : undefined;
  });
}

beforeAll(async () => {
  orch = await startTestOrchestrator(ENV);
  replica = await startTestOrchestrator({ ...ENV, DATABASE_SCHEMA: orch.schema });
  const created = await orch.http('POST', '/api/v1/watches', {
    target: { paddr: '0x2a0e000' }, width: 1, condition: 'equals', value: '0x33', interval: '30ms',
    hosts: { ids: HOSTS }, kdump_on_hit: true, rollout: { canary: 0, allow_wide_destructive: true },
  });
  expect(created.status).toBe(201);
  watchId = created.body.id;
});

afterAll(async () => {
  for (const a of agents) a.close();
  await replica?.close();
  await orch?.close();
});

describe('kdump job timeouts and refusals', () => {
  it('sends the CrashRequest for the current boot, again when no reply comes, and fails after the third', async () => {
    const agent = connect('to-silent');
    const first = await hitAndRequest(agent);
    expect(first).toMatchObject({ boot_id: 'boot-1', watch_id: watchId, request_id: `kdump-${first.hit_id}` });
    const again = await agent.next((m) => m.msg === 'crash_request');
    const third = await agent.next((m) => m.msg === 'crash_request');
    expect([again.crash_request!.request_id, third.crash_request!.request_id]).toEqual([first.request_id, first.request_id]);
    const failed = await job('to-silent', 'failed');
    expect(failed.attempts).toBe(3);
    expect(failed.reason).toMatch(/^host to-silent sent no CrashReply within KDUMP_REPLY_TIMEOUT_MS \(0.3 s\) to any of 3 CrashRequests \(connected yes, boot id boot-1, last seen /);
  });

  it("denies with the agent's own reason when it refuses (a request for a boot it is no longer in)", async () => {
    const agent = connect('to-stale');
    const request = await hitAndRequest(agent);
    agent.send({ crash_reply: { request_id: request.request_id, accepted: false, reason: 'request is for boot boot-1; this host is now in boot boot-9' } });
    const denied = await job('to-stale', 'denied');
    expect(denied.reason).toBe('host to-stale refused the CrashRequest: request is for boot boot-1; this host is now in boot boot-9');
  });

  it('fails a host that accepted but never came back with a new boot id, naming what it last saw', async () => {
    const agent = connect('to-noboot');
    const request = await hitAndRequest(agent);
    agent.send({ crash_reply: { request_id: request.request_id, accepted: true, reason: '' } });
    await job('to-noboot', 'awaiting_reboot');
    const failed = await job('to-noboot', 'failed');
    expect(failed.reason).toMatch(/^host to-noboot did not come back with a new boot id within KDUMP_REBOOT_TIMEOUT_MS \(1.5 s\) of the CrashRequest \(last boot id boot-1, last seen .*, connected yes\)$/);
  });

  it('fails a rebooted host whose vmcore never arrives, naming what was looked for', async () => {
    const agent = connect('to-nodump');
    const request = await hitAndRequest(agent);
    agent.send({ crash_reply: { request_id: request.request_id, accepted: true, reason: '' } });
    await job('to-nodump', 'awaiting_reboot');
    agent.close();
    connect('to-nodump', 'boot-2');
    const collecting = await job('to-nodump', 'collecting');
    expect(collecting).toMatchObject({ boot_before: 'boot-1', boot_after: 'boot-2' });
    const failed = await job('to-nodump', 'failed');
    expect(failed.reason).toBe(
      `no vmcore from host to-nodump within KDUMP_COLLECT_TIMEOUT_MS (1.5 s) of its reboot (boot boot-1 -> boot-2): no VmcoreReport with crash_request_id ${request.request_id} or crashed_boot_id boot-1`,
    );
  });

  it('takes a host back with a new boot id as accepted when the reply was lost, and links a report from that boot', async () => {
    const agent = connect('to-backnoreply');
    const request = await hitAndRequest(agent);
    agent.close();
    const back = connect('to-backnoreply', 'boot-2');
    await job('to-backnoreply', 'collecting');
    // the agent could not name the request: the crashed boot finds the job
    back.send({
      vmcore_report: {
        path: '/var/crash/to-backnoreply-2026-11-26/vmcore', layout: 'rhel', format: 'elf', size_bytes: '4096', sha256: 'ab'.repeat(32),
        dump_level: -1, crash_time_unix_ms: String(Date.now()), kernel_release: '6.1.0', dmesg_path: '', dmesg_excerpt: '',
        crashed_boot_id: 'boot-1', crash_request_id: '', recovered_hits: [],
      },
    });
    const ack = (await back.next((m) => m.msg === 'vmcore_ack')).vmcore_ack!;
    expect(ack.path).toBe('/var/crash/to-backnoreply-2026-11-26/vmcore');
    const done = await job('to-backnoreply', 'done');
    expect(done.vmcore_id).toBe(ack.vmcore_id);
    const { body: vmcore } = await orch.http('GET', `/api/v1/vmcores/${ack.vmcore_id}`);
    expect(vmcore).toMatchObject({ hit_id: request.hit_id, watch_id: watchId, kdump_job_id: request.request_id, crash_request_id: null, dump_level: -1 });
  });

  it('reaches the host through whichever replica holds its stream now', async () => {
    const first = connect('to-moved');
    const request = await hitAndRequest(first);
    // the host's stream moves to the other replica before it answers
    first.close();
    const moved = connect('to-moved', 'boot-1', replica);
    const resent = (await moved.next((m) => m.msg === 'crash_request')).crash_request!;
    expect(resent).toEqual(request);
    moved.send({ crash_reply: { request_id: resent.request_id, accepted: true, reason: '' } });
    const job = await eventually('to-moved awaiting reboot', async () => {
      const { body } = await replica.http('GET', '/api/v1/kdump-jobs?host_id=to-moved');
      return body.items[0]?.state === 'awaiting_reboot' ? body.items[0] : undefined;
    });
    expect(job.attempts).toBeGreaterThanOrEqual(2);
  });
});
