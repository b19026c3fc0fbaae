/**
 * A backend lost in the middle of a transaction (here: terminated by pg_terminate_backend,
 * as a restart or failover would) fails that transaction and nothing else: without an
 * error listener on the checked-out client it would be an unhandled 'error' that kills
 * the process (vitest reports those as errors and fails the run).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool, inTransaction } from './pool';
import { freshDatabase, TestDatabase } from './test-helpers';

let t: TestDatabase;

beforeAll(async () => {
  t = await freshDatabase('pool');
});

afterAll(async () => {
  await t?.drop();
});

it('a transaction whose backend is terminated rejects, and the pool serves the next one on a new connection', async () => {
  const pool = createPool({ url: t.url, schema: t.schema, max: 2 });
  const admin = createPool({ url: t.url, schema: t.schema, max: 1 });
  try {
    let victim = 0;
    const doomed = inTransaction(pool, async (client) => {
      victim = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      await admin.query('select pg_terminate_backend($1)', [victim]);
      await client.query('select pg_sleep(5)');
    });
    // Which error wins depends on timing: the backend's FATAL, or pg's own 'connection error' once the socket closed first.
    await expect(doomed).rejects.toThrow(/terminat|connection error/i);
    const next = await inTransaction(pool, async (client) => (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid);
    expect(next).not.toBe(victim);
  } finally {
    await pool.end();
    await admin.end();
  }
});
