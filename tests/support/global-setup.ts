/**
 * One id per test run, carried into every schema name this run makes (freshSchemaName),
 * so teardown can drop exactly this run's schemas and BullMQ keys, even those of
 * processes that were killed with -9 before they could clean up.
 */
import { randomBytes } from 'node:crypto';
import { createPool, dropSchema } from '@physwatch/db';
import { testDatabaseUrl, testRedisUrl } from './env';
import { deleteRedisKeys } from './redis-keys';

export function setup(): void {
  process.env.PHYSWATCH_TEST_RUN ??= randomBytes(3).toString('hex');
}

export async function teardown(): Promise<void> {
  const run = process.env.PHYSWATCH_TEST_RUN!;
  const pool = createPool({ url: testDatabaseUrl(), schema: 'public', max: 1 });
  const { rows } = await pool.query<{ name: string }>(
    `select nspname as name from pg_namespace where nspname like '%\\_' || $1 || '\\_%'`,
    [run],
  );
  await pool.end();
  for (const { name } of rows) await dropSchema(testDatabaseUrl(), name);

  await deleteRedisKeys(testRedisUrl(), `physwatch:*_${run}_*`);
}
