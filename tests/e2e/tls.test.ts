/**
 * The agent stream over mutual TLS: an agent with a certificate from the fleet CA connects
 * and delivers hits; one without a client certificate never appears as a host.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { createTestPki, TestPki } from '../support/certs';
import { eventually } from '../support/eventually';
import { corruptMemoryFile } from '@physwatch/agent';
import { Agent, Orchestrator } from '../support/stack';

let pki: TestPki;
let orch: Orchestrator;
let api: Api;
const agents: Agent[] = [];

beforeAll(async () => {
  pki = createTestPki();
  orch = await Orchestrator.start({
    env: { GRPC_TLS_CERT: pki.serverCert, GRPC_TLS_KEY: pki.serverKey, GRPC_TLS_CA: pki.ca },
  });
  api = new Api(orch.url, orch.adminToken);
});

afterAll(async () => {
  for (const a of agents) {
    await a.stop('SIGKILL');
    a.removeState();
  }
  await orch?.stop();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

describe('mTLS between agent and orchestrator', () => {
  it('an agent with a fleet certificate connects and its hits are stored', async () => {
    const client = pki.client('host-tls');
    const agent = await Agent.start({
      server: orch.grpcAddress,
      hostId: 'host-tls',
      extra: { tls: { ca: pki.ca, cert: client.cert, key: client.key } },
    });
    agents.push(agent);
    const watch = await api.createWatch({ target: { paddr: '0x2000' }, width: 2, condition: 'changes_from', value: '0x0', interval: '2ms', hosts: { ids: ['host-tls'] } });
    await eventually('armed over TLS', async () => (await api.watch(watch.id)).assignments?.[0]?.phase === 'armed');
    await corruptMemoryFile(agent.memoryFile, 0x2000n, 2, 0xbeefn);
    const [hit] = await eventually('the hit', async () => {
      const hits = await api.allHits({ watch_id: watch.id });
      return hits.length ? hits : undefined;
    });
    expect(hit).toMatchObject({ host_id: 'host-tls', old_value: '0x0', new_value: '0xbeef', width: 2 });
  });

  it('an agent without a client certificate is refused and never registered', async () => {
    const agent = await Agent.start({ server: orch.grpcAddress, hostId: 'host-no-cert', extra: { tls: { ca: pki.ca } } });
    agents.push(agent);
    // The marker: a properly configured agent started after it does register.
    const client = pki.client('host-late');
    agents.push(await Agent.start({ server: orch.grpcAddress, hostId: 'host-late', extra: { tls: { ca: pki.ca, cert: client.cert, key: client.key } } }));
    await eventually('the certified agent registered', async () => (await api.request('GET', '/api/v1/hosts/host-late')).status === 200);
    await eventually('the refused agent retried at least once', async () =>
      agent.child.lines.filter((l) => /connect|stream|disconnect|retry|backoff/i.test(String(l.msg))).length >= 2,
    );
    expect((await api.request('GET', '/api/v1/hosts/host-no-cert')).status).toBe(404);
  });
});
