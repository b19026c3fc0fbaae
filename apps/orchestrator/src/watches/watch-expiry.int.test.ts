import { afterAll, describe, expect, it } from 'vitest';
import { freshSchemaName, testRedisUrl } from '../../../../tests/support/env';
import { deleteRedisKeys } from '../../../../tests/support/redis-keys';
import { eventually } from '../../../../tests/support/eventually';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

let orch: TestOrchestrator | undefined;

afterAll(async () => {
  await orch?.close();
});

describe('watch expiry', () => {
  it('re-enqueues expiry at start, so a watch still expires after Redis lost its job', async () => {
    const schema = freshSchemaName('exp');
    const first = await startTestOrchestrator({ DATABASE_SCHEMA: schema }, false);
    const created = await first.http('POST', '/api/v1/watches', {
      target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '1s', hosts: { ids: ['nobody'] },
      expires_at: new Date(Date.now() + 2000).toISOString(),
    });
    expect(created.status).toBe(201);
    await first.close();
    await deleteRedisKeys(testRedisUrl(), `physwatch:${schema}:*`);

    orch = await startTestOrchestrator({ DATABASE_SCHEMA: schema }, true);
    await eventually('expired', async () => (await orch!.http('GET', `/api/v1/watches/${created.body.id}`)).body.state === 'expired');
    expect((await orch.http('GET', '/api/v1/watches?state=expired')).body.items.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
  });
});
