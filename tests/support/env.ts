/** Where tests find the real services, and how they keep out of each other's way. */
import { randomBytes } from 'node:crypto';
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
