/**
 * Revoking a token on one replica refuses it on every replica at once: two orchestrator
 * processes on one schema, a token used on both (so a replica that cached it would still
 * hold it), revoked through A, then refused by B with the exact 401.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { Orchestrator } from '../support/stack';

const UNKNOWN = { status: 401, body: { error: 'unauthenticated', message: 'unknown or revoked token' } };
const started: Orchestrator[] = [];

afterAll(async () => {
  while (started.length) await started.pop()!.stop();
});

describe('token revocation across replicas', () => {
  it('a token used on replicas A and B, revoked through A, is refused by B with the 401 on its next request; other tokens still pass on B', async () => {
    const a = await Orchestrator.start();
    started.push(a);
    const b = await Orchestrator.start({ schema: a.options.schema });
    started.push(b);
    const adminA = new Api(a.url, a.adminToken);
    const adminB = new Api(b.url, b.adminToken);

    const token = await adminA.createToken('leaving-oncall', 'operator');
    const onA = adminA.as(token.token);
    const onB = adminB.as(token.token);
    expect(await onA.request('GET', '/api/v1/watches')).toEqual({ status: 200, body: { items: [] } });
    expect(await onB.request('GET', '/api/v1/watches')).toEqual({ status: 200, body: { items: [] } });

    const revoked = await adminA.request('DELETE', `/api/v1/tokens/${token.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: token.id, name: 'leaving-oncall', revoked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    expect(await onB.request('GET', '/api/v1/watches')).toEqual(UNKNOWN);
    expect(await onB.request('GET', '/api/v1/hosts')).toEqual(UNKNOWN);
    expect(await onA.request('GET', '/api/v1/watches')).toEqual(UNKNOWN);
    // B still knows every other token: it refuses this one, not everyone.
    expect(await adminB.request('GET', '/api/v1/watches')).toEqual({ status: 200, body: { items: [] } });
    // And B sees the revocation itself.
    const listedOnB = (await adminB.request('GET', '/api/v1/tokens')).body.items.find((t: any) => t.id === token.id);
    expect(listedOnB.revoked_at).toBe(revoked.body.revoked_at);
  });
});
