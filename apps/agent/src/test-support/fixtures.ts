/** One-line test data: temp state dirs, agent configs, watch specs, a silent logger. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { ArmSpec } from '@physwatch/core';
import pino, { Logger } from 'pino';
import { buildConfig } from '../config/load-config';
import type { AgentConfig, SimulatedBackendConfig } from '../config/schema';

/** LOG_LEVEL=debug shows the agent's logs while a test runs. */
export const testLog: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A debug-level logger keeping the parsed lines whose text contains `filter`. */
export function captureLog(filter: string): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString();
      if (text.includes(filter)) lines.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

const made: string[] = [];

export function tempDir(prefix = 'physwatch-agent-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export const NO_IDENTITY_FILES = { machineIdPath: '/nonexistent/machine-id', bootIdPath: '/nonexistent/boot_id' };

/**
 * The JSON a test agent's config file holds: fast timers, its own state dir, a fixed boot id,
 * and kdump files inside the state dir, so no test can ever reach the real /proc/sysrq-trigger.
 */
export function agentConfigInput(stateDir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: '127.0.0.1:1',
    // The test double of the orchestrator is plaintext unless a test gives tls.
    insecure: overrides.tls === undefined,
    hostId: 'test-host',
    bootId: 'boot-a',
    stateDir,
    heartbeatIntervalMs: 100,
    reconnect: { initialMs: 20, maxMs: 200 },
    batch: { maxHits: 100, maxDelayMs: 5 },
    drainTimeoutMs: 2000,
    backend: { kind: 'simulated', memorySize: 1024 * 1024, symbols: { empty_zero_page: '0x2000' } },
    kdump: {
      crashDir: path.join(stateDir, 'crash'),
      sysrqTrigger: path.join(stateDir, 'sysrq-trigger'),
      crashKernelLoaded: path.join(stateDir, 'kexec_crash_loaded'),
    },
    ...overrides,
  };
}

export function agentConfig(stateDir: string, overrides: Record<string, unknown> = {}): AgentConfig {
  return buildConfig(agentConfigInput(stateDir, overrides), {}, NO_IDENTITY_FILES);
}

export function armSpec(overrides: Partial<ArmSpec> = {}): ArmSpec {
  return {
    watchId: '1',
    target: { kind: 'paddr', paddr: 0x1000n },
    width: 1,
    len: overrides.width ?? 1,
    condition: 'any_change',
    value: 0n,
    mask: 0xffn,
    intervalUs: 1000,
    mode: 'timer',
    funcs: [],
    rate: null,
    action: 'report',
    maxHits: null,
    ...overrides,
  };
}

/** The simulated backend's config, for tests that write its memory file. */
export function simulated(config: AgentConfig): SimulatedBackendConfig {
  if (config.backend.kind !== 'simulated') throw new Error('not a simulated-backend config');
  return config.backend;
}
