/**
 * The transport under the identity: TLS is the default, Enroll runs over TLS that
 * authenticates the server only, the stream port demands a client certificate from the agent
 * CA, a CA and server certificate given as files work like generated ones, each side refuses
 * the other's wrong CA, and plaintext needs the explicit insecure flag, which warns on every
 * connection.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { corruptMemoryFile } from '@physwatch/agent';
import { loadPhyswatchProto } from '@physwatch/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { enroll, helloAs, keyAndCsr, mtls } from '../support/agent-peer';
import { Api } from '../support/api';
import { createTestPki, TestPki } from '../support/certs';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

const stoppable: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const agents: Agent[] = [];
const pkis: TestPki[] = [];

function pki(): TestPki {
  const made = createTestPki();
  pkis.push(made);
  return made;
}

async function startAgent(options: Parameters<typeof Agent.start>[0]): Promise<Agent> {
  const agent = await Agent.start(options);
  stoppable.push(agent);
  agents.push(agent);
  return agent;
}

async function startOrchestrator(options: Parameters<typeof Orchestrator.start>[0] = {}): Promise<Orchestrator> {
  const orch = await Orchestrator.start(options);
  stoppable.push(orch);
  return orch;
}

afterAll(async () => {
  while (stoppable.length) await stoppable.pop()!.stop('SIGKILL');
  for (const agent of agents) agent.removeState();
  for (const made of pkis) rmSync(made.dir, { recursive: true, force: true });
});

describe('TLS by default', () => {
  it('serves Enroll over server-only TLS and the stream only over mutual TLS, each on its own port', async () => {
    const orch = await startOrchestrator();
    const ca = readFileSync(orch.caCert, 'utf8');
    const { csrPem, keyPem } = keyAndCsr(pki().dir, 'tls-enroll');
    // No client certificate: the enrollment port still answers (here: the token is wrong).
    await expect(enroll(orch.enrollAddress, ca, { token: 'pwe_00000000_nope', host_id: 'tls-enroll', csr_pem: csrPem })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    // The same client on the stream port does not get past the handshake.
    const noCert = await helloAs(orch.grpcAddress, grpc.credentials.createSsl(Buffer.from(ca)), 'tls-enroll');
    expect(noCert.code).toBe(grpc.status.UNAVAILABLE);
    // Each port serves its one service: no stream on the enrollment port, even with a certificate.
    const issued = await enroll(orch.enrollAddress, ca, { token: await orch.enrollmentToken(), host_id: 'tls-enroll', csr_pem: csrPem });
    const onEnrollPort = await helloAs(orch.enrollAddress, mtls(ca, keyPem, issued.certificate_pem), 'tls-enroll');
    expect(onEnrollPort.code).toBe(grpc.status.UNIMPLEMENTED);
    const { Enrollment } = loadPhyswatchProto();
    const wrongPort = new Enrollment(orch.grpcAddress, mtls(ca, keyPem, issued.certificate_pem));
    const code = await new Promise<grpc.status>((resolve) => wrongPort.Enroll({ token: 'x', host_id: 'x', csr_pem: 'x', hostname: '' }, (err) => resolve(err!.code)));
    wrongPort.close();
    expect(code).toBe(grpc.status.UNIMPLEMENTED);
    // With its certificate the stream is served: the first answer is its desired state.
    const served = await helloAs(orch.grpcAddress, mtls(ca, keyPem, issued.certificate_pem), 'tls-enroll');
    expect(served.message?.desired_state).toBeDefined();
  });

  it('works with an agent CA and a server certificate given as files, and delivers hits over mTLS', async () => {
    const files = pki();
    const orch = await startOrchestrator({ env: { AGENT_CA_CERT: files.ca, AGENT_CA_KEY: path.join(files.dir, 'ca.key'), GRPC_TLS_CERT: files.serverCert, GRPC_TLS_KEY: files.serverKey } });
    const api = new Api(orch.url, orch.adminToken);
    const agent = await startAgent({ server: orch.grpcAddress, hostId: 'tls-files', orchestrator: orch, extra: { tls: { ca: files.ca }, enrollment: { server: orch.enrollAddress, token: await orch.enrollmentToken() } } });
    const watch = await api.createWatch({ target: { paddr: '0x2000' }, width: 2, condition: 'changes_from', value: '0x0', interval: '2ms', hosts: { ids: ['tls-files'] } });
    await eventually('armed over mTLS', async () => (await api.watch(watch.id)).assignments?.[0]?.phase === 'armed');
    await corruptMemoryFile(agent.memoryFile, 0x2000n, 2, 0xbeefn);
    const [hit] = await eventually('the hit', async () => {
      const hits = await api.allHits({ watch_id: watch.id });
      return hits.length ? hits : undefined;
    });
    expect(hit).toMatchObject({ host_id: 'tls-files', old_value: '0x0', new_value: '0xbeef', width: 2 });
    // The certificate it holds was issued by the given CA, for its host id.
    const cert = new X509Certificate(readFileSync(path.join(agent.identityDir, 'cert.pem')));
    expect(cert.subjectAltName).toBe('URI:physwatch://host/tls-files');
    expect(cert.verify(new X509Certificate(readFileSync(files.ca)).publicKey)).toBe(true);
  });
});

describe('guessing enrollment tokens', () => {
  it('is limited per source like failed REST authentications: past AUTH_FAILURE_LIMIT refusals the source gets RESOURCE_EXHAUSTED, unaudited', async () => {
    const orch = await startOrchestrator({ env: { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '600000' } });
    const api = new Api(orch.url, orch.adminToken);
    const ca = readFileSync(orch.caCert, 'utf8');
    const { csrPem } = keyAndCsr(pki().dir, 'guess');
    for (let i = 0; i < 3; i++) {
      await expect(enroll(orch.enrollAddress, ca, { token: `pwe_0000000${i}_guess`, host_id: 'tls-guess', csr_pem: csrPem })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    }
    // Past the limit even a right token is not looked at until the window ends.
    await expect(enroll(orch.enrollAddress, ca, { token: await orch.enrollmentToken(), host_id: 'tls-guess', csr_pem: csrPem })).rejects.toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/^too many refused enrollment tokens from 127\.0\.0\.1 \(3 in 600000 ms\); retry after \d+ s$/),
    });
    expect((await api.request('GET', '/api/v1/audit?action=agent.enroll.refused')).body.items).toHaveLength(3);
    expect((await api.request('GET', '/api/v1/hosts/tls-guess')).status).toBe(404);
  });
});

describe('BOOTSTRAP_ENROLLMENT_DIR (how docker-compose enrolls its agents)', () => {
  it('leaves one enrollment token and the CA where agents read them, makes none on a restart, and an agent enrolls from the files', async () => {
    const dir = path.join(pki().dir, 'enroll');
    const orch = await startOrchestrator({ env: { BOOTSTRAP_ENROLLMENT_DIR: dir, BOOTSTRAP_ENROLLMENT_USES: '2' } });
    const api = new Api(orch.url, orch.adminToken);
    const token = readFileSync(path.join(dir, 'token'), 'utf8').trim();
    expect(token).toMatch(/^pwe_[0-9a-f]{8}_/);
    expect(statSync(path.join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'ca.pem'), 'utf8')).toBe(readFileSync(orch.caCert, 'utf8'));
    await orch.stop();
    await orch.spawn();
    expect(readFileSync(path.join(dir, 'token'), 'utf8').trim()).toBe(token);
    const tokens = (await api.request('GET', '/api/v1/enrollment-tokens')).body.items;
    expect(tokens).toEqual([expect.objectContaining({ name: 'bootstrap', max_uses: 2, uses: 0, state: 'active' })]);
    expect((await api.request('GET', '/api/v1/audit?action=enrollment_token.create')).body.items).toEqual([
      expect.objectContaining({ token_name: 'bootstrap', method: 'BOOTSTRAP', target: tokens[0].id, status: 201 }),
    ]);
    await startAgent({
      server: orch.grpcAddress, hostId: 'tls-bootstrap', orchestrator: orch,
      extra: { tls: { ca: path.join(dir, 'ca.pem') }, enrollment: { server: orch.enrollAddress, tokenFile: path.join(dir, 'token') } },
    });
    await eventually('enrolled from the files and connected', async () => (await api.host('tls-bootstrap'))?.connected);
  });
});

describe('wrong CA', () => {
  it('on the agent side: the agent stops, saying the orchestrator\'s certificate does not chain to its tls.ca', async () => {
    const orch = await startOrchestrator();
    const stranger = pki();
    const agent = await startAgent({ server: orch.grpcAddress, hostId: 'tls-wrong-ca', orchestrator: orch, extra: { tls: { ca: stranger.ca }, enrollment: { server: orch.enrollAddress, token: await orch.enrollmentToken() } } });
    expect(await agent.child.exited).toEqual({ code: 1, signal: null });
    const fatal = agent.child.lines.find((l) => l.msg === 'agent failed to start');
    expect((fatal?.err as { message?: string }).message).toMatch(
      new RegExp(`^cannot verify the orchestrator's certificate at ${orch.enrollAddress.replace(/\./g, '\\.')} against tls\\.ca ${stranger.ca.replace(/[./]/g, '\\$&')} \\(is it the orchestrator's CA\\?\\): `),
    );
  });

  it('on the orchestrator side: a certificate from another CA (right host URI, right key) is refused at the handshake and the host never registers', async () => {
    const orch = await startOrchestrator();
    const api = new Api(orch.url, orch.adminToken);
    const other = pki();
    const forged = other.client('tls-forged', 'URI:physwatch://host/tls-forged');
    // An agent whose kept identity came from another CA: it presents it on every attempt.
    const agent = await startAgent({ server: orch.grpcAddress, hostId: 'tls-forged', orchestrator: orch, enrollmentToken: null });
    await agent.stop();
    mkdirSync(agent.identityDir, { recursive: true });
    copyFileSync(forged.cert, path.join(agent.identityDir, 'cert.pem'));
    copyFileSync(forged.key, path.join(agent.identityDir, 'key.pem'));
    copyFileSync(other.ca, path.join(agent.identityDir, 'ca.pem'));
    await agent.spawn();
    await eventually('two refused attempts', async () => agent.child.lines.filter((l) => l.msg === 'stream lost, reconnecting').length >= 2);
    expect(agent.child.lines.filter((l) => l.msg === 'desired state received')).toEqual([]);
    expect((await api.request('GET', '/api/v1/hosts/tls-forged')).status).toBe(404);
  });
});

describe('GRPC_INSECURE', () => {
  it('is plaintext only when asked, and warns on every connection', async () => {
    const orch = await startOrchestrator({ insecure: true });
    const api = new Api(orch.url, orch.adminToken);
    expect(orch.child.lines.find((l) => l.msg?.startsWith('gRPC is plaintext (GRPC_INSECURE)'))).toMatchObject({ level: 40 });
    const agent = await startAgent({ server: orch.grpcAddress, hostId: 'tls-plain', insecure: true });
    await eventually('connected', async () => (await api.host('tls-plain'))?.connected);
    await agent.stop();
    await agent.spawn();
    await eventually('connected twice', async () => orch.child.lines.filter((l) => l.msg === 'agent connected' && l.hostId === 'tls-plain').length === 2);
    const warnings = orch.child.lines.filter((l) => String(l.msg).startsWith('plaintext agent connection (GRPC_INSECURE)'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ level: 40, peer: expect.stringContaining('127.0.0.1') });
    // The agent says so too, on its side.
    expect(agent.child.lines.find((l) => String(l.msg).startsWith('insecure: talking to the orchestrator in plaintext'))).toMatchObject({ level: 40 });
  });

  it('is refused by an agent not configured for it: no tls.ca and no insecure is a configuration error', async () => {
    const orch = await startOrchestrator({ insecure: true });
    const agent = await startAgent({ server: orch.grpcAddress, hostId: 'tls-unset', insecure: true, extra: { insecure: false } });
    expect(await agent.child.exited).toEqual({ code: 2, signal: null });
    expect(agent.child.stderr.join('\n')).toContain("tls.ca: required: the CA certificate (PEM path) that signed the orchestrator's gRPC server certificate");
  });
});
