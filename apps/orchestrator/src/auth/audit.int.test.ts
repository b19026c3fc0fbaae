import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

const SPEC = { target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '5ms', hosts: { selector: 'suite=audit' } };

let orch: TestOrchestrator;

beforeAll(async () => {
  orch = await startTestOrchestrator();
});

afterAll(async () => {
  await orch?.close();
});

describe('no unaudited change', () => {
  it('answers 500 and changes nothing when the audit row cannot be written', async () => {
    await orch.db.pool.query('alter table audit_log rename to audit_log_away');
    try {
      const created = await orch.http('POST', '/api/v1/watches', { ...SPEC, name: 'never stored' });
      expect(created.status).toBe(500);
      // A refusal is audited too: without its row the answer is a 500 as well.
      const refused = await orch.http('POST', '/api/v1/tokens', { name: '', role: 'root' });
      expect(refused).toEqual({ status: 500, body: { error: 'internal', message: expect.stringContaining('audit log could not be written') } });
    } finally {
      await orch.db.pool.query('alter table audit_log_away rename to audit_log');
    }
    const { rows } = await orch.db.pool.query(`select count(*)::int as n from watches where name = 'never stored'`);
    expect(rows[0].n).toBe(0);
    // Back to normal once the table is back.
    expect((await orch.http('POST', '/api/v1/watches', SPEC)).status).toBe(201);
    expect((await orch.db.audit.list({ limit: 10 })).map((r) => [r.action, r.status])).toEqual([['watch.create', 201]]);
  });
});
