import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshSchemaName, testDatabaseUrl } from '@physwatch/testing/env';
import { dropSchema, migrate, readMigrations } from './migrate';

const url = testDatabaseUrl();
const schemas: string[] = [];

function newSchema(): string {
  const schema = freshSchemaName('mig');
  schemas.push(schema);
  return schema;
}

async function tablesIn(schema: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(
      'select table_name as t from information_schema.tables where table_schema = $1 order by 1',
      [schema],
    );
    return rows.map((r) => r.t);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(url, schema);
});

describe('migrate', () => {
  it('creates the schema, applies every file once, and a second run applies nothing', async () => {
    const schema = newSchema();
    const files = readMigrations().map((f) => f.name);
    const first = await migrate(url, schema);
    expect(first.applied).toEqual(files);
    // Each migration's own tables; later migrations may add more.
    expect(await tablesIn(schema)).toEqual(
      expect.arrayContaining(['api_tokens', 'assignments', 'audit_log', 'hits', 'hosts', 'kdump_jobs', 'schema_migrations', 'vmcores', 'watches']),
    );
    const second = await migrate(url, schema);
    expect(second).toEqual({ applied: [], alreadyApplied: files });
  });

  it('lets replicas start together: concurrent runs apply each migration exactly once', async () => {
    const schema = newSchema();
    const results = await Promise.all([migrate(url, schema), migrate(url, schema), migrate(url, schema), migrate(url, schema)]);
    const appliedCounts = results.map((r) => r.applied.length);
    expect(appliedCounts.filter((n) => n > 0)).toEqual([readMigrations().length]);
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`select count(*)::int as n from ${schema}.schema_migrations`);
    await client.end();
    expect(rows[0].n).toBe(readMigrations().length);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(migrate(url, 'x; drop table y')).rejects.toThrow(/lowercase SQL identifier/);
  });
});
