// Test-only: the orchestrator environment for a test run: real services, its own schema, ports 0,
// and plaintext gRPC (GRPC_INSECURE): these tests drive the gateway with an in-process client
// that has no certificate; identity over mTLS is covered end to end (tests/e2e/identity.test.ts).
import { testAdminToken, testDatabaseUrl, testRedisUrl } from '@physwatch/testing/env';

export function testEnv(schema: string): Record<string, string> {
  return {
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: schema,
    REDIS_URL: testRedisUrl(),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    GRPC_INSECURE: 'true',
    PHYSWATCH_ADMIN_TOKEN: testAdminToken(schema),
  };
}
