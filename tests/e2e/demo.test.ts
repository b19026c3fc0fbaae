/**
 * The README's demo command, as a fresh machine runs it: embedded PostgreSQL, a private
 * redis-server, the orchestrator and three simulated agents; hits from all three must be
 * visible through GET /api/v1/hits within 60 s (the script itself enforces the limit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild } from '../support/child';

const ROOT = path.resolve(__dirname, '../..');
const workDir = mkdtempSync(path.join(tmpdir(), 'physwatch-demo-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it('shows hits from all three agents through the API', async () => {
    // No DATABASE_URL / REDIS_URL: the demo must start its own, as on a fresh machine.
    const env = { PHYSWATCH_DEMO_DIR: workDir, HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: undefined, REDIS_URL: undefined, PHYSWATCH_ADMIN_TOKEN: undefined };
    const demo = startChild('demo', process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--until-hits'], env);
    const { code } = await demo.exited;
    const output = demo.lines.map((l) => l.msg).join('\n');
    expect(code, output + demo.stderr.join('\n')).toBe(0);
    expect(output).toMatch(/hits from all 3 agents visible through the API/);
    // The token it started the orchestrator with, and the line that points the CLI at it.
    const token = /admin token \(PHYSWATCH_ADMIN_TOKEN\): (pw-demo-[0-9a-f]{48})/.exec(output)?.[1];
    expect(token).toBeDefined();
    expect(output).toContain(`export PHYSWATCH_SERVER=http://127.0.0.1:`);
    expect(output).toMatch(new RegExp(`export PHYSWATCH_SERVER=http://127\\.0\\.0\\.1:\\d+ PHYSWATCH_TOKEN=${token}`));
    for (const host of ['demo-host-1', 'demo-host-2', 'demo-host-3']) {
      expect(output).toMatch(new RegExp(`hit ${host} seq=\\d+ 0x2a0e000 0x0 -> 0x33`));
    }
  }, 180_000);
});
