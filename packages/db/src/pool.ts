import { Pool, PoolClient, QueryResultRow } from 'pg';

export interface DatabaseOptions {
  url: string;
  /** Every table lives in this schema; it is created by the migrator if missing. */
  schema: string;
  /** Upper bound on pooled connections. */
  max?: number;
  /**
   * Connections of a second pool, used only by work run inside `Database.onApiPool` (the REST
   * API), so a storm on the main pool cannot take the connections it needs. Unset: one pool.
   */
  apiMax?: number;
  applicationName?: string;
}

/** The one thing a repository needs: a pool or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names end up in SQL text and in a connection option, so only plain identifiers pass. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema name "${schema}" must be a lowercase SQL identifier (a-z, 0-9, _; at most 63 characters)`);
  }
  return schema;
}

/**
 * A pool whose every connection has search_path set to the schema at connect time, so the
 * SQL in the repositories never names the schema and a fresh schema per test just works.
 */
export function createPool(options: DatabaseOptions): Pool {
  const schema = checkSchemaName(options.schema);
  const pool = new Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    options: `-c search_path=${schema}`,
    application_name: options.applicationName ?? 'physwatch',
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener
  // that would crash the process, and the next checkout reconnects anyway.
  pool.on('error', () => undefined);
  return pool;
}

export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // While it is checked out the pool does not listen for this client's errors: a backend
  // lost mid-transaction (a restart, a failover, a terminated backend) would emit an
  // unhandled 'error' and kill the process. The query in flight fails with it anyway; the
  // client is then destroyed instead of going back to the pool.
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    if (!lost) await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', onError);
    client.release(lost ?? false);
  }
}
