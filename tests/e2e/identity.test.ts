/**
 * Who a host is, end to end with real processes and real TLS: the identity comes from the
 * certificate enrollment issued, never from Hello; an impostor is refused and the real agent
 * keeps its stream; a revoked host is cut off on every replica until it enrolls again; an
 * unenrolled client gets nothing; bad, expired and used-up enrollment tokens are refused with
 * the exact reason; certificates renew before they expire without losing a hit.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { corruptMemoryFile } from '@physwatch/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll, helloAs, keyAndCsr, mtls } from '../support/agent-peer';
import { Api } from '../support/api';
import { runCli } from '../support/cli-process';
import { createTestPki } from '../support/certs';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';
import { TcpRelay } from '../support/tcp-relay';

const stoppable: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const agents: Agent[] = [];
const relays: TcpRelay[] = [];
const dirs: string[] = [];

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'physwatch-identity-'));
  dirs.push(dir);
  return dir;
}

async function startAgent(options: Parameters<typeof Agent.start>[0]): Promise<Agent> {
  const agent = await Agent.start(options);
  stoppable.push(agent);
  agents.push(agent);
  return agent;
}

afterAll(async () => {
  while (stoppable.length) await stoppable.pop()!.stop('SIGKILL');
  for (const relay of relays) await relay.close();
  for (const agent of agents) agent.removeState();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const cli = runCli;

async function auditActions(api: Api, action: string): Promise<any[]> {
  return (await api.request('GET', `/api/v1/audit?action=${action}&limit=100`)).body.items;
}

describe('one orchestrator', () => {
  let orch: Orchestrator;
  let api: Api;

  beforeAll(async () => {
    orch = await Orchestrator.start();
    stoppable.push(orch);
    api = new Api(orch.url, orch.adminToken);
  });

  it('refuses an impostor presenting another host\'s id; the real agent keeps its stream and its watch', async () => {
    const real = await startAgent({ server: orch.grpcAddress, hostId: 'id-real' });
    const watch = await api.createWatch({ target: { paddr: '0x3000' }, width: 1, condition: 'any_change', interval: '2ms', hosts: { ids: ['id-real'] } });
    await eventually('armed on the real host', async () => (await api.watch(watch.id)).assignments?.[0]?.phase === 'armed');

    // The impostor holds a valid enrollment token, so it can get a certificate, but only for its own id.
    const dir = scratch();
    const ca = readFileSync(orch.caCert, 'utf8');
    const token = await orch.enrollmentToken();
    const takeOver = keyAndCsr(dir, 'take-over');
    await expect(enroll(orch.enrollAddress, ca, { token, host_id: 'id-real', csr_pem: takeOver.csrPem })).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: expect.stringMatching(/^host "id-real" is already enrolled \(its certificate is valid until .+\): revoke it first \(physwatch hosts revoke id-real\) to enroll it again$/),
    });
    const own = keyAndCsr(dir, 'impostor');
    const issued = await enroll(orch.enrollAddress, ca, { token, host_id: 'id-impostor', csr_pem: own.csrPem });
    expect(issued.host_id).toBe('id-impostor');
    const outcome = await helloAs(orch.grpcAddress, mtls(ca, own.keyPem, issued.certificate_pem), 'id-real');
    expect(outcome).toEqual({
      code: grpc.status.PERMISSION_DENIED,
      details: 'Hello.host_id "id-real" is not this connection\'s identity: its certificate is for host "id-impostor"',
    });
    const refused = await auditActions(api, 'agent.connect.refused');
    expect(refused).toEqual([expect.objectContaining({ target: 'id-impostor', method: 'GRPC', status: 403, request_body: expect.objectContaining({ hello_host_id: 'id-real' }) })]);
    expect((await auditActions(api, 'agent.enroll.refused'))[0]).toMatchObject({ target: 'id-real', status: 409 });

    // The real agent was not superseded: a hit after the attempt arrives on its first stream.
    await corruptMemoryFile(real.memoryFile, 0x3000n, 1, 0x33n);
    await eventually('the hit after the impostor', async () => (await api.allHits({ watch_id: watch.id })).length === 1);
    expect(real.child.lines.filter((l) => l.msg === 'stream lost, reconnecting')).toEqual([]);
    expect(orch.child.lines.filter((l) => l.msg === 'agent connected' && l.hostId === 'id-real')).toHaveLength(1);
    expect((await api.watch(watch.id)).assignments[0]).toMatchObject({ host_id: 'id-real', phase: 'armed' });
    expect(await api.host('id-real')).toMatchObject({ connected: true, hostname: 'id-real' });
  });

  it('gives an unenrolled client nothing: no certificate, a certificate from another CA, or plaintext', async () => {
    const ca = readFileSync(orch.caCert, 'utf8');
    const other = createTestPki();
    dirs.push(other.dir);
    const forged = other.client('id-forged', 'URI:physwatch://host/id-forged');
    const attempts = {
      'no certificate': grpc.credentials.createSsl(Buffer.from(ca)),
      'another CA': mtls(ca, readFileSync(forged.key, 'utf8'), readFileSync(forged.cert, 'utf8')),
      plaintext: grpc.credentials.createInsecure(),
    };
    for (const [what, credentials] of Object.entries(attempts)) {
      const outcome = await helloAs(orch.grpcAddress, credentials, 'id-forged');
      expect(outcome.message, what).toBeUndefined();
      expect(outcome.code, what).toBe(grpc.status.UNAVAILABLE);
    }
    // Refused at the handshake: no handler ran, so not even a refusal names the forged host.
    expect((await api.request('GET', '/api/v1/hosts/id-forged')).status).toBe(404);
    expect(orch.child.lines.filter((l) => l.hostId === 'id-forged' || l.helloHostId === 'id-forged')).toEqual([]);
  });

  it('refuses unknown, revoked, expired and used-up enrollment tokens with the exact reason, and the agent stops saying so', async () => {
    const made = await cli(orch, ['enrollment-tokens', 'create', '--name', 'one-host', '--uses', '1', '--labels', 'env=lab', '--expires', '1h', '-o', 'json']);
    expect(made.code, made.stderr).toBe(0);
    const once = JSON.parse(made.stdout) as { id: string; token: string };
    expect(once).toMatchObject({ name: 'one-host', max_uses: 1, uses: 0, labels: { env: 'lab' }, state: 'active', token: expect.stringMatching(/^pwe_[0-9a-f]{8}_/) });
    expect(await cli(orch, ['enrollment-tokens', 'create', '--name', 'x', '--labels', 'env'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--labels: "env" is not key=value') });
    const revoked = await orch.createEnrollmentToken({ name: 'pulled' });
    expect(await cli(orch, ['enrollment-tokens', 'revoke', revoked.id])).toMatchObject({ code: 0, stdout: expect.stringMatching(/pulled .* revoked /) });
    const brief = await orch.createEnrollmentToken({ name: 'brief', expires_in: '1s' });
    await eventually('the brief token expired', async () => {
      const list = (await api.request('GET', '/api/v1/enrollment-tokens')).body.items as any[];
      return list.find((t) => t.id === brief.id)?.state === 'expired';
    });

    const first = await startAgent({ server: orch.grpcAddress, hostId: 'id-once', enrollmentToken: once.token });
    await first.child.waitForLog((l) => l.msg === 'enrolled: certificate issued');
    // The token's labels are the host's operator labels.
    await eventually('id-once connected', async () => (await api.host('id-once'))?.connected);
    expect(await api.host('id-once')).toMatchObject({ operator_labels: { env: 'lab' }, labels: expect.objectContaining({ env: 'lab' }) });
    const prefix = (t: { token: string }) => t.token.split('_').slice(0, 2).join('_');
    const cases: Array<[string, string | null, RegExp]> = [
      ['id-unknown', 'pwe_00000000_not-a-token', /enrollment refused by 127\.0\.0\.1:\d+: enrollment token not recognised: check it, or have an admin create one \(physwatch enrollment-tokens create\)$/],
      ['id-revoked', revoked.token, new RegExp(`enrollment token "pulled" \\(${prefix(revoked)}\\) was revoked at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`)],
      ['id-expired', brief.token, new RegExp(`enrollment token "brief" \\(${prefix(brief)}\\) expired at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`)],
      ['id-used-up', once.token, new RegExp(`enrollment token "one-host" \\(${prefix(once)}\\) is used up \\(1 of 1 uses\\)$`)],
      ['id-no-token', null, /^no certificate in .*identity\/cert\.pem and no enrollment token: set enrollment\.token, enrollment\.tokenFile or PHYSWATCH_ENROLLMENT_TOKEN/],
    ];
    for (const [hostId, token, reason] of cases) {
      const agent = await startAgent({ server: orch.grpcAddress, hostId, enrollmentToken: token });
      expect(await agent.child.exited, hostId).toEqual({ code: 1, signal: null });
      const fatal = agent.child.lines.find((l) => l.msg === 'agent failed to start');
      expect((fatal?.err as { message?: string })?.message, hostId).toMatch(reason);
      expect((await api.request('GET', `/api/v1/hosts/${hostId}`)).status, hostId).toBe(404);
    }
    const listed = await cli(orch, ['enrollment-tokens', 'list', '-o', 'json']);
    const states = Object.fromEntries((JSON.parse(listed.stdout) as any[]).map((t) => [t.name, [t.state, t.uses]]));
    expect(states).toMatchObject({ 'one-host': ['used_up', 1], pulled: ['revoked', 0], brief: ['expired', 0] });
    expect(JSON.stringify(JSON.parse(listed.stdout))).not.toContain(once.token);
    // Eight hosts racing for the last use of a token: exactly one gets it.
    const race = await orch.createEnrollmentToken({ name: 'last-one', max_uses: 1 });
    const dir = scratch();
    const ca = readFileSync(orch.caCert, 'utf8');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => enroll(orch.enrollAddress, ca, { token: race.token, host_id: `id-race-${i}`, csr_pem: keyAndCsr(dir, `race-${i}`).csrPem })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(o.reason).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: expect.stringMatching(/^enrollment token "last-one" \(pwe_[0-9a-f]{8}\) is used up \(1 of 1 uses\)$/) });
    }
    const refusals = await auditActions(api, 'agent.enroll.refused');
    expect(refusals.map((r) => [r.target, r.status])).toEqual(expect.arrayContaining([['id-unknown', 401], ['id-revoked', 403], ['id-expired', 403], ['id-used-up', 403]]));
    // The one that enrolled is audited with the token that let it in.
    expect((await auditActions(api, 'agent.enroll')).find((r) => r.target === 'id-once')).toMatchObject({
      method: 'GRPC',
      path: '/physwatch.v1.Enrollment/Enroll',
      status: 201,
      request_body: expect.objectContaining({ enrollment_token_id: once.id, enrollment_token: 'one-host' }),
    });
  });
});

describe('two replicas', () => {
  it('cuts a revoked host off on whichever replica holds it, refuses it from then on, and takes it back once it enrolls again', async () => {
    const a = await Orchestrator.start();
    stoppable.push(a);
    const b = await Orchestrator.start({ schema: a.options.schema });
    stoppable.push(b);
    const apiA = new Api(a.url, a.adminToken);
    const onA = await startAgent({ server: a.grpcAddress, hostId: 'rev-on-a' });
    const onB = await startAgent({ server: b.grpcAddress, hostId: 'rev-on-b', orchestrator: b });
    await eventually('both connected', async () => (await apiA.host('rev-on-a'))?.connected && (await apiA.host('rev-on-b'))?.connected);

    // Both revoked through replica A: one stream is A's own, the other B's (that one with the CLI).
    const res = await apiA.request('POST', '/api/v1/hosts/rev-on-a/revoke');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ host_id: 'rev-on-a', certificates_revoked: 1 });
    expect(await cli(a, ['hosts', 'revoke', 'rev-on-b'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^host rev-on-b revoked at \S+ \(1 certificate\); it cannot connect until it is enrolled again\n$/) });
    for (const [agent, replica] of [[onA, a], [onB, b]] as const) {
      const hostId = agent.options.hostId;
      await replica.child.waitForLog((l) => l.msg === 'revoked host: stream closed' && l.hostId === hostId);
      const cut = await agent.child.waitForLog((l) => l.msg === 'the orchestrator refused this host');
      expect(cut.reason).toBe(`PERMISSION_DENIED: host "${hostId}" was revoked: it cannot connect until it is enrolled again`);
      // Its reconnect is refused too (its certificate still verifies; the orchestrator knows it was revoked).
      await replica.child.waitForLog((l) => l.msg === 'agent stream refused' && l.hostId === hostId);
      expect((await apiA.host(hostId)).connected, hostId).toBe(false);
    }
    expect((await auditActions(apiA, 'host.revoke')).map((r) => r.target).sort()).toEqual(['rev-on-a', 'rev-on-b']);
    expect((await auditActions(apiA, 'agent.connect.refused')).map((r) => r.target)).toEqual(expect.arrayContaining(['rev-on-a', 'rev-on-b']));
    await expect(apiA.request('POST', '/api/v1/hosts/never-enrolled/revoke')).resolves.toMatchObject({ status: 404 });

    // Enrolling again (a token, the old certificate removed) brings it back.
    await onA.stop();
    unlinkSync(path.join(onA.identityDir, 'cert.pem'));
    await onA.spawn();
    await onA.child.waitForLog((l) => l.msg === 'enrolled: certificate issued');
    await eventually('re-enrolled host connected', async () => (await apiA.host('rev-on-a'))?.connected);
    expect((await apiA.host('rev-on-b')).connected).toBe(false);
  });
});

describe('short-lived certificates', () => {
  it('renews before expiry on the open stream, reconnects with the renewed certificate after the first expired, and loses no hit', async () => {
    const orch = await Orchestrator.start({ env: { AGENT_CERT_TTL_MS: '12000' } });
    stoppable.push(orch);
    const api = new Api(orch.url, orch.adminToken);
    const relay = await TcpRelay.start([orch.options.grpcPort]);
    relays.push(relay);
    const agent = await startAgent({ server: relay.address, hostId: 'renewing', orchestrator: orch });
    const enrolled = await agent.child.waitForLog((l) => l.msg === 'enrolled: certificate issued');
    const watch = await api.createWatch({ target: { paddr: '0x4000' }, width: 2, condition: 'any_change', interval: '2ms', hosts: { ids: ['renewing'] } });
    await eventually('armed', async () => (await api.watch(watch.id)).assignments?.[0]?.phase === 'armed');

    let written = 0;
    const write = async (): Promise<void> => {
      written++;
      await corruptMemoryFile(agent.memoryFile, 0x4000n, 2, BigInt(written));
      const value = String(written);
      await agent.child.waitForLog((l) => l.msg === 'hit spooled' && l.new === value);
    };
    for (let i = 0; i < 5; i++) await write();
    // Two renewals: the second comes after the first certificate's own expiry.
    await agent.child.waitForLog((l) => l.msg === 'certificate renewed', 30_000);
    for (let i = 0; i < 5; i++) await write();
    const second = await eventually('second renewal', async () => agent.child.lines.filter((l) => l.msg === 'certificate renewed')[1], 30_000);
    expect(Date.parse(String(second.notAfter))).toBeGreaterThan(Date.parse(String(enrolled.notAfter)));
    await eventually('the first certificate expired', async () => Date.now() > Date.parse(String(enrolled.notAfter)));

    relay.dropConnections();
    await orch.child.waitForLog((l) => l.msg === 'agent connected' && l.hostId === 'renewing' && orch.child.lines.filter((m) => m.msg === 'agent connected' && m.hostId === 'renewing').length >= 2);
    for (let i = 0; i < 5; i++) await write();
    const hits = await eventually('every hit stored', async () => {
      const all = await api.allHits({ watch_id: watch.id });
      return all.length >= written ? all : undefined;
    });
    expect(hits).toHaveLength(written);
    expect(new Set(hits.map((h: any) => h.new_value)).size).toBe(written);
    expect(agent.child.lines.filter((l) => l.msg === 'the orchestrator refused this host')).toEqual([]);
    const renewals = await auditActions(api, 'agent.renew');
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(renewals[0]).toMatchObject({ target: 'renewing', method: 'GRPC', path: '/physwatch.v1.AgentGateway/Connect', status: 201 });
  });
});
