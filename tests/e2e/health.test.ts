/**
 * /healthz and /readyz of the real orchestrator while Postgres cannot be reached. The
 * orchestrator talks to the shared Postgres through a TCP relay, and only the relay is cut
 * or stalled: Postgres itself keeps serving every other test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { Orchestrator } from '../support/stack';
import { TcpRelay } from '../support/tcp-relay';

const READY = { status: 200, body: { status: 'ready', down: [], checks: { postgres: 'ok', redis: 'ok' } } };
const ALIVE = { status: 200, body: { status: 'ok' } };

let relay: TcpRelay;
let orch: Orchestrator;
let api: Api;

beforeAll(async () => {
  const postgres = new URL(testDatabaseUrl());
  relay = await TcpRelay.start({ host: postgres.hostname, port: Number(postgres.port || 5432) });
  const throughRelay = new URL(testDatabaseUrl());
  throughRelay.host = relay.address;
  orch = await Orchestrator.start({ env: { DATABASE_URL: throughRelay.toString() } });
  api = new Api(orch.url, null);
});

afterAll(async () => {
  await orch?.stop();
  await relay?.close();
});

const readyz = () => api.request('GET', '/readyz');

describe('readiness without Postgres', () => {
  it('is 503 naming postgres and the connect error while Postgres refuses connections, /healthz stays 200, and it is ready again once Postgres is back', async () => {
    expect(await readyz()).toEqual(READY);
    await relay.refuseConnections();
    const refused = {
      status: 503,
      body: { status: 'unavailable', down: ['postgres'], checks: { postgres: `connect ECONNREFUSED ${relay.address}`, redis: 'ok' } },
    };
    // The pool may first hand out a connection the cut has not yet closed; then every answer is the refusal.
    await eventually('a 503 for refused connections', async () => JSON.stringify(await readyz()) === JSON.stringify(refused));
    expect(await readyz()).toEqual(refused);
    expect(await api.request('GET', '/healthz')).toEqual(ALIVE);

    await relay.acceptConnections();
    await eventually('ready again', async () => (await readyz()).status === 200);
    expect(await readyz()).toEqual(READY);
    expect(orch.child.alive).toBe(true);
    // Not only the ping: requests that read Postgres are served again.
    expect((await api.as(orch.adminToken).request('GET', '/api/v1/watches')).status).toBe(200);
  });

  it('is 503 naming postgres when Postgres stops answering (the check gives up after 2 s), /healthz stays 200, and it is ready again once the answers flow', async () => {
    expect(await readyz()).toEqual(READY);
    relay.holdDownstream('pause');
    expect(await readyz()).toEqual({
      status: 503,
      body: { status: 'unavailable', down: ['postgres'], checks: { postgres: 'no answer within 2000 ms', redis: 'ok' } },
    });
    expect(await api.request('GET', '/healthz')).toEqual(ALIVE);
    relay.release();
    await eventually('ready again', async () => (await readyz()).status === 200);
    expect(await readyz()).toEqual(READY);
  });
});
