import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { checkSchemaName } from './pool';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

// Two-key advisory lock: a fixed class id for "physwatch migrations" and the schema's hash,
// so replicas migrating the same schema wait for each other and other schemas do not.
const LOCK_CLASS = 0x70687377; // "phsw"

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies every migration not yet recorded in `<schema>.schema_migrations`, each in its own
 * transaction, holding an advisory lock for the whole run. A migration that was applied
 * and has since been edited is refused: the database would no longer match the files.
 */
export async function migrate(url: string, schemaName: string, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const schema = checkSchemaName(schemaName);
  const files = readMigrations(dir);
  const client = new Client({ connectionString: url, options: `-c search_path=${schema}`, application_name: 'physwatch-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    try {
      await client.query(`create schema if not exists ${schema}`);
      await client.query(`create table if not exists schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const { rows } = await client.query<{ name: string; checksum: string }>('select name, checksum from schema_migrations');
      const done = new Map(rows.map((r) => [r.name, r.checksum]));
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const file of files) {
        const recorded = done.get(file.name);
        if (recorded !== undefined) {
          if (recorded !== file.checksum) {
            throw new Error(`migration ${file.name} was changed after it was applied to schema ${schema}; add a new migration instead`);
          }
          result.alreadyApplied.push(file.name);
          continue;
        }
        await client.query('begin');
        try {
          await client.query(file.sql);
          await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [file.name, file.checksum]);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw new Error(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
        }
        result.applied.push(file.name);
      }
      return result;
    } finally {
      await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, schema]);
    }
  } finally {
    await client.end();
  }
}

/** Removes a schema and everything in it (test runs and throwaway deployments). */
export async function dropSchema(url: string, schemaName: string): Promise<void> {
  const schema = checkSchemaName(schemaName);
  const client = new Client({ connectionString: url, application_name: 'physwatch-migrate' });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
