/**
 * What a host may send, end to end with the real orchestrator over real mutual TLS: a hit is
 * stored only for a watch placed on the host that sends it and under a boot that host
 * announced; a hit whose fields cannot be stored is refused alone, named in the ack with the
 * reason, while the good hits of its batch are stored exactly once; the real agent drops a
 * refused hit from its spool with one log line and keeps streaming; a cross-host hit of a
 * kdump_on_hit watch starts no kdump job and a dump report naming another host's crash
 * request is refused (and its CrashReply ignored); a bad Hello is INVALID_ARGUMENT naming the
 * field; operator labels (REST, or the enrollment token) win over the host's own for
 * placement and both are shown with their source.
 *
 * The hostile sender is a raw grpc-js client (TestAgent) enrolled as its own host, next to
 * real agents: an attacker with a valid certificate can say anything on its stream.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { corruptMemoryFile } from '@physwatch/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, wireHit } from '../../apps/orchestrator/src/test-support/agent-client';
import { enroll, keyAndCsr, mtls } from '../support/agent-peer';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

/** Undone in reverse order after the file: processes killed, state and scratch dirs removed, streams closed. */
const cleanups: Array<() => unknown> = [];

let orch: Orchestrator;
let api: Api;
let real: Agent;
let peerB: TestAgent;

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'physwatch-trust-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startAgent(options: Parameters<typeof Agent.start>[0]): Promise<Agent> {
  const agent = await Agent.start(options);
  cleanups.push(async () => {
    await agent.stop('SIGKILL');
    agent.removeState();
  });
  return agent;
}

/** A raw client enrolled as `hostId` with the test token: its certificate is real, what it sends is up to the test. */
async function peer(hostId: string, token?: string): Promise<TestAgent> {
  const ca = readFileSync(orch.caCert, 'utf8');
  const { keyPem, csrPem } = keyAndCsr(scratch(), hostId);
  const issued = await enroll(orch.enrollAddress, ca, { token: token ?? (await orch.enrollmentToken()), host_id: hostId, csr_pem: csrPem });
  const client = new TestAgent(orch.grpcAddress, mtls(ca, keyPem, issued.certificate_pem));
  cleanups.push(() => client.close());
  return client;
}

function watchOn(hostIds: string[], paddr: number, extra: Record<string, unknown> = {}) {
  return { target: { paddr: `0x${paddr.toString(16)}` }, width: 1, condition: 'any_change', interval: '5ms', hosts: { ids: hostIds }, ...extra };
}

async function armedOn(watchId: string, hostId: string): Promise<void> {
  await eventually(`watch ${watchId} armed on ${hostId}`, async () => (await api.watch(watchId)).assignments?.some((a: any) => a.host_id === hostId && a.phase === 'armed'));
}

const rejectedLogs = (hostId: string, watchId: string) =>
  orch.child.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('hit rejected') && l.hostId === hostId && l.watchId === watchId);

/** The orchestrator logged the batch as stored: every log line of its ingest is in by then. */
function batchLogged(hostId: string, match: (line: Record<string, unknown>) => boolean) {
  return orch.child.waitForLog((l) => l.msg === 'hit batch stored' && l.hostId === hostId && match(l));
}

beforeAll(async () => {
  orch = await Orchestrator.start();
  cleanups.push(() => orch.stop('SIGKILL'));
  api = new Api(orch.url, orch.adminToken);
  real = await startAgent({ server: orch.grpcAddress, hostId: 'trust-a', labels: { suite: 'trust', pool: 'web' } });
  peerB = await peer('trust-b');
  peerB.hello('trust-b', { suite: 'trust' }, { boot_id: 'boot-b' });
  await peerB.nextDesired();
  await eventually('trust-a connected', async () => (await api.host('trust-a'))?.connected === true);
});

afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('what a host may send', () => {
  it('refuses a cross-host hit, an unknown boot and poisoned hits each alone, with the reason in the ack; the good hits are stored exactly once', async () => {
    const onA = await api.createWatch(watchOn(['trust-a'], 0x5000));
    const onB = await api.createWatch(watchOn(['trust-b'], 0x5100));
    await peerB.next((m) => m.desired_state?.watches.some((w) => w.watch_id === onB.id) === true);
    const batch = {
      boot_id: 'boot-b',
      hits: [
        wireHit(1, onB.id),
        wireHit(2, onA.id),
        wireHit(3, onB.id, { comm: 'sh\u0000' }),
        wireHit(4, onB.id, { stack: 'frame\n'.repeat(6000) }),
        // The widest a uint32 can be, into an int4 column; a seq beyond bigint.
        wireHit(5, onB.id, { cpu: 4294967295 }),
        wireHit(6, onB.id),
        { ...wireHit(7, onB.id), seq: '18446744073709551615' },
      ],
    };
    const rejectedBefore = await api.metric('physwatch_agent_rejected_total');
    peerB.send({ hit_batch: batch });
    const ack = await peerB.nextAck();
    expect(ack.boot_id).toBe('boot-b');
    // Covers every refused hit whose seq is a seq, never one beyond bigint (that would ack the whole boot).
    expect(ack.up_to_seq).toBe('6');
    expect(ack.rejected).toEqual([
      { seq: '3', reason: 'hits[2].comm: contains a NUL byte' },
      { seq: '4', reason: 'hits[3].stack: is 36000 characters, more than 32768' },
      { seq: '5', reason: 'hits[4].cpu: 4294967295 is out of range (0 to 2147483647)' },
      { seq: '18446744073709551615', reason: 'hits[6].seq: 18446744073709551615 is out of range for a positive bigint (1 to 9223372036854775807)' },
      { seq: '2', reason: `hits[1].watch_id: watch ${onA.id} was never placed on host trust-b` },
    ]);

    // A boot trust-b never announced: refused, the same way, whatever the watch.
    peerB.send({ hit_batch: { boot_id: 'boot-someone-else', hits: [wireHit(1, onB.id)] } });
    expect(await peerB.nextAck()).toEqual({
      boot_id: 'boot-someone-else',
      up_to_seq: '1',
      rejected: [{ seq: '1', reason: 'HitBatch.boot_id: boot "boot-someone-else" was never announced by host trust-b' }],
    });

    // Re-sent, as an agent does after a lost ack: the same answer, nothing stored twice.
    peerB.send({ hit_batch: batch });
    expect(await peerB.nextAck()).toEqual(ack);
    await batchLogged('trust-b', (l) => l.duplicates === 2);

    expect((await api.allHits({ watch_id: onB.id })).map((h) => [h.host_id, h.boot_id, h.seq]).sort()).toEqual([
      ['trust-b', 'boot-b', '1'],
      ['trust-b', 'boot-b', '6'],
    ]);
    expect(await api.allHits({ watch_id: onA.id })).toEqual([]);
    expect(await api.allHits({ host_id: 'trust-b' })).toHaveLength(2);
    // 5 + 1 + 5 refusals counted, by reason; logged once per host and watch (and reason), not per message.
    expect((await api.metric('physwatch_agent_rejected_total')) - rejectedBefore).toBe(11);
    const scrape = String((await api.request('GET', '/metrics')).body);
    expect(scrape).toMatch(/^physwatch_agent_rejected_total\{message="hit",reason="not_placed"\} 2$/m);
    expect(scrape).toMatch(/^physwatch_agent_rejected_total\{message="hit",reason="unknown_boot"\} 1$/m);
    expect(rejectedLogs('trust-b', onA.id)).toEqual([expect.objectContaining({ kind: 'not_placed', bootId: 'boot-b', seq: '2' })]);
    expect(rejectedLogs('trust-b', onB.id).map((l) => l.kind).sort()).toEqual(['invalid', 'unknown_boot']);

    // The stream was never failed: the next good hit is stored on it.
    peerB.send({ hit_batch: { boot_id: 'boot-b', hits: [wireHit(8, onB.id)] } });
    expect(await peerB.nextAck()).toEqual({ boot_id: 'boot-b', up_to_seq: '8', rejected: [] });
    expect((await api.allHits({ watch_id: onB.id })).map((h) => h.seq).sort()).toEqual(['1', '6', '8']);
  });

  it('the real agent drops refused hits from its spool with one log line each and keeps streaming, also after a restart', async () => {
    const foreign = await api.createWatch(watchOn(['trust-b'], 0x5200));
    // Two records already in the agent's spool: a hit of a watch placed on another host, and one with a NUL in comm.
    const stateDir = scratch();
    mkdirSync(path.join(stateDir, 'spool'));
    const line = (seq: number, hit: object) => `${JSON.stringify({ t: 'h', b: 'boot-c1', s: String(seq), h: hit })}\n`;
    writeFileSync(
      path.join(stateDir, 'spool', 'journal.jsonl'),
      line(1, { ...wireHit(1, foreign.id), module_seq: '0' }) + line(2, { ...wireHit(2, foreign.id), comm: 'x\u0000y', module_seq: '0' }),
    );
    const agentC = await startAgent({ server: orch.grpcAddress, hostId: 'trust-c', stateDir, extra: { bootId: 'boot-c1' } });
    const acked = await agentC.child.waitForLog((l) => l.msg === 'hits acked' && l.bootId === 'boot-c1');
    expect(acked).toMatchObject({ seq: '2', dropped: 2, unacked: 0 });
    const refused = agentC.child.lines.filter((l) => l.msg === 'hit rejected by the orchestrator; dropped from the spool, never re-sent');
    expect(refused.map((l) => [l.seq, l.watchId, l.reason])).toEqual([
      ['2', foreign.id, 'hits[1].comm: contains a NUL byte'],
      ['1', foreign.id, `hits[0].watch_id: watch ${foreign.id} was never placed on host trust-c`],
    ]);

    // Its own hits go on, numbered after the refused ones.
    const own = await api.createWatch(watchOn(['trust-c'], 0x5300));
    await armedOn(own.id, 'trust-c');
    await corruptMemoryFile(agentC.memoryFile, 0x5300n, 1, 0x11n);
    await eventually('trust-c hit stored', async () => (await api.allHits({ watch_id: own.id })).length === 1);
    expect((await api.allHits({ watch_id: own.id }))[0]).toMatchObject({ host_id: 'trust-c', boot_id: 'boot-c1', seq: '3' });

    // Restarted on the same spool: the refused hits are gone for good, never sent again.
    await agentC.stop();
    await agentC.spawn();
    await agentC.child.waitForLog((l) => l.msg === 'watch armed' && l.watchId === own.id);
    await corruptMemoryFile(agentC.memoryFile, 0x5300n, 1, 0x22n);
    await eventually('the hit after the restart', async () => (await api.allHits({ watch_id: own.id })).length === 2);
    await agentC.child.waitForLog((l) => l.msg === 'hits acked' && l.seq === '4');
    expect(agentC.child.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('hit rejected'))).toEqual([]);
    expect(await api.allHits({ watch_id: foreign.id })).toEqual([]);
  });

  it("a kdump_on_hit watch's cross-host hit starts no kdump job, and a dump report naming another host's crash request is refused", async () => {
    const kdump = await api.createWatch(watchOn(['trust-a'], 0x5400, { kdump_on_hit: true, rollout: { canary: 0, allow_wide_destructive: true } }));
    await armedOn(kdump.id, 'trust-a');
    peerB.send({ hit_batch: { boot_id: 'boot-b', hits: [wireHit(20, kdump.id, { action: 'ACTION_REPORT' })] } });
    expect((await peerB.nextAck()).rejected).toEqual([{ seq: '20', reason: `hits[0].watch_id: watch ${kdump.id} was never placed on host trust-b` }]);
    // The ack follows the ingest transaction, where a job would have been created.
    expect((await api.request('GET', `/api/v1/kdump-jobs?watch_id=${kdump.id}`)).body.items).toEqual([]);

    // The host it is placed on still gets its job (denied here: no crash kernel on this machine's agent).
    await corruptMemoryFile(real.memoryFile, 0x5400n, 1, 0x33n);
    const jobs = await eventually('the kdump job for trust-a, denied', async () => {
      const items = (await api.request('GET', `/api/v1/kdump-jobs?watch_id=${kdump.id}`)).body.items as any[];
      return items[0]?.state === 'denied' ? items : undefined;
    });
    expect(jobs.map((j) => j.host_id)).toEqual(['trust-a']);

    // A CrashReply for that job from the wrong host changes nothing; handled in order, before the report below is acked.
    peerB.send({ crash_reply: { request_id: jobs[0].id, accepted: true, reason: '' } });
    peerB.send({
      vmcore_report: {
        path: '/var/crash/trust-a-2026-12-01/vmcore', layout: 'rhel', format: 'elf', size_bytes: '4096', sha256: 'ab'.repeat(32), dump_level: -1,
        crash_time_unix_ms: String(Date.now()), kernel_release: '6.1.0', dmesg_path: '', dmesg_excerpt: '', crashed_boot_id: 'boot-b',
        crash_request_id: jobs[0].id, recovered_hits: [],
      },
    });
    const ack = await peerB.next((m) => m.msg === 'vmcore_ack');
    expect(ack.vmcore_ack).toEqual({
      path: '/var/crash/trust-a-2026-12-01/vmcore',
      vmcore_id: '0',
      rejected_reason: `VmcoreReport.crash_request_id: ${jobs[0].id} was addressed to another host, not trust-b`,
    });
    expect((await api.request('GET', '/api/v1/vmcores?host_id=trust-b')).body.items).toEqual([]);
    const scrape = String((await api.request('GET', '/metrics')).body);
    expect(scrape).toMatch(/^physwatch_agent_rejected_total\{message="crash_reply",reason="other_host"\} 1$/m);
    expect(scrape).toMatch(/^physwatch_agent_rejected_total\{message="vmcore_report",reason="other_host"\} 1$/m);
    expect((await api.request('GET', `/api/v1/kdump-jobs/${jobs[0].id}`)).body).toMatchObject({ host_id: 'trust-a', state: 'denied', reason: jobs[0].reason });
    expect((await api.request('GET', `/api/v1/kdump-jobs?watch_id=${kdump.id}`)).body.items).toHaveLength(1);
  });

  it('refuses a bad Hello with INVALID_ARGUMENT naming each bad field, and stores nothing of it', async () => {
    const bad = await peer('trust-d');
    bad.hello('trust-d', { 'bad key': 'x', ok: 'v'.repeat(257) }, { boot_id: 'b'.repeat(129), hostname: 'trust\u0000d' });
    expect(await bad.ended).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details:
        'Hello.boot_id: is 129 characters, more than 128; Hello.hostname: contains a NUL byte; ' +
        'Hello.labels["bad key"]: not a label key (letters, digits, "._/-", alphanumeric at both ends); Hello.labels["ok"]: value is 257 characters, more than 256',
    });
    expect((await api.host('trust-d'))?.connected ?? false).toBe(false);
  });
});

describe('labels from two sources', () => {
  it("an operator label wins over the host's for placement, also when the host says Hello again; both are shown with their source and the change is audited", async () => {
    const operator = new Api(orch.url, (await api.createToken('labeller', 'operator')).token);
    const viewer = new Api(orch.url, (await api.createToken('looker', 'viewer')).token);
    const db = await api.createWatch({ ...watchOn([], 0x5500), hosts: { selector: 'pool=db' } });
    expect(db.counts).toEqual({ pending: 0, armed: 0, failed: 0, disarmed: 0 });

    expect((await viewer.request('PUT', '/api/v1/hosts/trust-a/labels', { labels: { pool: 'db' } })).status).toBe(403);
    const refused = await operator.request('PUT', '/api/v1/hosts/trust-a/labels', { labels: { 'bad key': 'x' }, extra: 1 });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { field: 'extra', reason: 'unknown field (allowed: labels)' },
      { field: 'labels["bad key"]', reason: 'not a label key (letters, digits, "._/-", alphanumeric at both ends)' },
    ]);
    expect((await operator.request('PUT', '/api/v1/hosts/no-such-host/labels', { labels: {} })).status).toBe(404);

    const set = await operator.request('PUT', '/api/v1/hosts/trust-a/labels', { labels: { pool: 'db', env: 'prod' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      labels: { suite: 'trust', pool: 'db', env: 'prod' },
      host_labels: { suite: 'trust', pool: 'web' },
      operator_labels: { pool: 'db', env: 'prod' },
    });
    await armedOn(db.id, 'trust-a');
    const audit = (await api.request('GET', '/api/v1/audit?action=host.labels&limit=10')).body.items as any[];
    // Every attempt audited with who and the outcome, refusals included.
    expect(audit.map((e) => `${e.target} ${e.status} ${e.token_name}`).sort()).toEqual([
      'no-such-host 404 labeller',
      'trust-a 200 labeller',
      'trust-a 400 labeller',
      'trust-a 403 looker',
    ]);

    // The host reconnects still saying pool=web: a watch created while it was away reaches it by the operator's pool=db.
    await real.stop();
    await eventually('trust-a offline', async () => (await api.host('trust-a')).connected === false);
    const later = await api.createWatch({ ...watchOn([], 0x5600), hosts: { selector: 'pool=db,env=prod' } });
    await real.spawn();
    await armedOn(later.id, 'trust-a');
    await armedOn(db.id, 'trust-a');
    expect(await api.host('trust-a')).toMatchObject({ labels: { pool: 'db' }, host_labels: { pool: 'web' }, operator_labels: { pool: 'db', env: 'prod' } });
  });

  it("the enrollment token's labels are the host's operator labels from its first Hello", async () => {
    const token = await orch.createEnrollmentToken({ name: 'gold-tier', labels: { tier: 'gold' } });
    const gold = await api.createWatch({ ...watchOn([], 0x5700), hosts: { selector: 'tier=gold' } });
    const host = await peer('trust-e', token.token);
    host.hello('trust-e', { tier: 'silver', suite: 'trust' }, { boot_id: 'boot-e' });
    expect((await host.nextDesired()).watches.map((w) => w.watch_id)).toEqual([gold.id]);
    expect(await api.host('trust-e')).toMatchObject({ labels: { tier: 'gold', suite: 'trust' }, host_labels: { tier: 'silver' }, operator_labels: { tier: 'gold' } });
  });
});
