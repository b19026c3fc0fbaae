#!/usr/bin/env node
// `npm run migrate`: applies migrations to DATABASE_URL in DATABASE_SCHEMA (default public).
import { migrate } from './migrate';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  const schema = process.env.DATABASE_SCHEMA || 'public';
  if (!url) {
    process.stderr.write('DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/physwatch)\n');
    return 2;
  }
  const result = await migrate(url, schema);
  process.stdout.write(
    `${JSON.stringify({ msg: 'migrations done', schema, applied: result.applied, alreadyApplied: result.alreadyApplied.length })}\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ msg: 'migration failed', error: (err as Error).message })}\n`);
    process.exit(1);
  },
);
