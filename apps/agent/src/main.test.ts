/**
 * The built agent (dist/main.js, from `turbo run build`) as a real child process, against
 * the in-process TEST DOUBLE of the orchestrator (test-support/fake-orchestrator.ts).
 * Memory is corrupted by the agent's own scripted corruptor from its config file.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hit__Output } from '@physwatch/proto';
import { toWireWatch } from '@physwatch/proto';
import { FakeOrchestrator } from './test-support/fake-orchestrator';
import { agentConfigInput, armSpec, removeTempDirs, tempDir } from './test-support/fixtures';

const MAIN = path.resolve(__dirname, '../dist/main.js');

interface Running {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

describe('dist/main.js as a process', () => {
  const children: ChildProcess[] = [];
  let fake: FakeOrchestrator | undefined;

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fake?.stop();
    removeTempDirs();
  });

  function run(configFile: string): Running {
    const child = spawn(process.execPath, [MAIN, '--config', configFile], {
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    child.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, lines, exited };
  }

  it('spools through kill -9 without reusing a seq, and drains to exit 0 on SIGTERM', async () => {
    fake = await FakeOrchestrator.start();
    fake.desired = { generation: '1', watches: [toWireWatch(armSpec({ watchId: '42', target: { kind: 'symbol', name: 'empty_zero_page', offset: 0n } }))] };
    const stateDir = tempDir();
    const configFile = path.join(stateDir, 'agent.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify(
        agentConfigInput(stateDir, {
          server: `127.0.0.1:${fake.port}`,
          hostId: 'proc-host',
          bootId: 'proc-boot',
          drainTimeoutMs: 1000,
          backend: {
            kind: 'simulated',
            memorySize: 1024 * 1024,
            symbols: { empty_zero_page: '0x2000' },
            corruption: [{ afterMs: 0, paddr: '0x2000', width: 1, values: ['0x33', '0x0'], everyMs: 30, count: 0 }],
          },
        }),
      ),
    );
    const hitsOn = (stream: number): Hit__Output[] =>
      fake!.received.filter((r) => r.stream === stream).flatMap((r) => r.message.hit_batch?.hits ?? []);

    const first = run(configFile);
    await fake.waitFor((r) => (r.stream === 0 && hitsOn(0).length >= 3 ? true : undefined), 'three hits from the first process');
    first.child.kill('SIGKILL'); // no ack was ever sent
    await first.exited;
    const before = hitsOn(0);

    const second = run(configFile);
    await fake.waitFor((r) => (r.stream === 1 && hitsOn(1).length >= before.length ? true : undefined), 'the unacked hits re-sent');
    const resent = hitsOn(1).slice(0, before.length);
    expect(resent.map((h) => [h.seq, h.old_value, h.new_value])).toEqual(before.map((h) => [h.seq, h.old_value, h.new_value]));

    const highest = Math.max(...before.map((h) => Number(h.seq)));
    const fresh = await fake.waitFor(
      (r) => (r.stream === 1 ? r.message.hit_batch?.hits.find((h) => !before.some((b) => b.realtime_ns === h.realtime_ns)) : undefined),
      'a new hit from the restarted process',
    );
    expect(Number(fresh.seq)).toBeGreaterThan(highest);
    fake.ack('proc-boot', fresh.seq);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const logs = second.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.every((l) => l.hostId === 'proc-host')).toBe(true);
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['agent draining', 'agent stopped']));
    expect(logs.find((l) => l.msg === 'hit spooled')).toMatchObject({ watchId: '42', bootId: 'proc-boot', seq: expect.any(String) });
  });

  it('exits 2 naming the bad keys when the config is invalid', async () => {
    const dir = tempDir();
    const configFile = path.join(dir, 'agent.json');
    fs.writeFileSync(configFile, JSON.stringify({ stateDir: dir, bootId: 'b', heartbeatIntervalMs: 'often', backend: { kind: 'simulated', memorySize: -1 } }));
    const child = spawn(process.execPath, [MAIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('heartbeatIntervalMs');
    expect(stderr).toContain('backend.memorySize');
  });
});
