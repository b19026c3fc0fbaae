// Test-only: the whole orchestrator in-process on ports 0, against the real Postgres (a
// fresh schema) and Redis (keys under that schema's prefix), removed again by close().
import { Database, dropSchema } from '@physwatch/db';
import { freshSchemaName } from '@physwatch/testing/env';
import { Api } from '@physwatch/testing/api';
import { deleteRedisKeys } from '@physwatch/testing/redis-keys';
import { RunningOrchestrator, startOrchestrator } from '../bootstrap';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { testEnv } from './test-env';

export interface TestOrchestrator {
  running: RunningOrchestrator;
  schema: string;
  grpcAddress: string;
  db: Database;
  metrics: MetricsService;
  /** The bootstrap admin token; `http` sends it. */
  adminToken: string;
  http<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * `env` overrides the test environment. Given DATABASE_SCHEMA, the instance joins that
 * schema as another replica and, unless `ownsData` says otherwise, leaves its data to the
 * instance that created it.
 */
export async function startTestOrchestrator(env: Record<string, string> = {}, ownsData = env.DATABASE_SCHEMA === undefined): Promise<TestOrchestrator> {
  const schema = env.DATABASE_SCHEMA ?? freshSchemaName('orch');
  const config = loadConfig({
    ...testEnv(schema),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const running = await startOrchestrator(config, createLogger(config.logLevel));
  const api = new Api(`http://127.0.0.1:${running.httpPort}`, config.adminToken);
  const prefix = running.app.get(JobsService).prefix;
  return {
    running,
    schema,
    grpcAddress: `127.0.0.1:${running.grpcPort}`,
    db: running.app.get(Database),
    metrics: running.app.get(MetricsService),
    adminToken: config.adminToken!,
    http: (method, path, body) => api.request(method, path, body),
    async close() {
      await running.close();
      if (!ownsData) return;
      await dropSchema(config.databaseUrl, schema);
      await deleteRedisKeys(config.redisUrl, `${prefix}:*`);
    },
  };
}
