/** Where tests find the real services, and how they keep out of each other's way. */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A schema name no other test uses; each migrates its own. It carries the run id that
 * global-setup.ts sets, so the run's teardown drops it.
 */
export function freshSchemaName(prefix = 't'): string {
  return `${prefix}_${process.env.PHYSWATCH_TEST_RUN ?? 'adhoc'}_${randomBytes(4).toString('hex')}`;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// Replicas on one schema must agree on the bootstrap token (each upserts it at start, and a
// different one would replace it), so the test token is derived from the schema, salted per
// test process so it is not guessable from the schema name.
const TOKEN_SALT = randomBytes(16).toString('hex');

/** The PHYSWATCH_ADMIN_TOKEN tests start an orchestrator on that schema with. */
export function testAdminToken(schema: string): string {
  return `pw-test-admin-${createHash('sha256').update(`${TOKEN_SALT}:${schema}`).digest('hex').slice(0, 40)}`;
}
