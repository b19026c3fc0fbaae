// The built process as operators run it: exit codes, the ready line, graceful SIGTERM.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { dropSchema } from '@physwatch/db';
import { afterAll, describe, expect, it } from 'vitest';
import { freshSchemaName, testDatabaseUrl, testRedisUrl } from '@physwatch/testing/env';
import { deleteRedisKeys } from '@physwatch/testing/redis-keys';
import { testEnv } from './test-support/test-env';

const MAIN = path.resolve(__dirname, '../dist/main.js');
const schema = freshSchemaName('proc');

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line)));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

afterAll(async () => {
  await dropSchema(testDatabaseUrl(), schema);
  await deleteRedisKeys(testRedisUrl(), `physwatch:${schema}:*`);
});

describe('orchestrator process', () => {
  it('exits 2 on bad configuration, naming every bad key', async () => {
    const proc = run({ HTTP_PORT: 'eighty', LOG_LEVEL: 'chatty' });
    expect(await proc.exited).toBe(2);
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'HTTP_PORT', 'LOG_LEVEL']) expect(proc.stderr()).toContain(`${key}:`);
  });

  it('logs the real ports when ready, and exits 0 on SIGTERM with nothing left open', async () => {
    // LOG_LEVEL does not hide the lifecycle lines others wait for.
    const proc = run({ ...testEnv(schema), LOG_LEVEL: 'error' });
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setInterval(() => {
        const line = proc.lines.find((l) => l.msg === 'orchestrator ready');
        if (line) {
          clearInterval(timer);
          resolve(line);
        }
      }, 20);
      void proc.exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`exited ${code} before ready: ${proc.stderr()}`));
      });
    });
    expect(ready.httpPort).toEqual(expect.any(Number));
    expect(ready.grpcPort).toEqual(expect.any(Number));
    expect(ready.httpPort).not.toBe(0);
    const health = await fetch(`http://127.0.0.1:${ready.httpPort}/healthz`);
    expect(health.status).toBe(200);
    proc.child.kill('SIGTERM');
    // Exit code 0 without process.exit(): the event loop emptied, so no timer or socket was left.
    expect(await proc.exited).toBe(0);
    expect(proc.lines.map((l) => l.msg)).toContain('orchestrator stopped');
  });
});
