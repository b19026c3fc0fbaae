import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_IDENTITY_FILES, removeTempDirs, simulated, tempDir } from '../test-support/fixtures';
import { ConfigError } from './config-error';
import { buildConfig, loadConfigFile } from './load-config';

const minimal = (stateDir: string): Record<string, unknown> => ({ stateDir, bootId: 'b1', tls: { ca: '/etc/physwatch/ca.pem' }, backend: { kind: 'simulated' } });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('agent configuration', () => {
  afterEach(removeTempDirs);

  it('fills every default from one place and freezes the result', () => {
    const dir = tempDir();
    const config = buildConfig({ ...minimal(dir), hostId: 'h1' }, {}, NO_IDENTITY_FILES);
    expect(config).toMatchObject({
      server: '127.0.0.1:50051',
      insecure: false,
      tls: { ca: '/etc/physwatch/ca.pem' },
      enrollment: { server: '127.0.0.1:50052' },
      hostId: 'h1',
      bootId: 'b1',
      labels: {},
      heartbeatIntervalMs: 5000,
      reconnect: { initialMs: 200, maxMs: 10_000 },
      batch: { maxHits: 500, maxDelayMs: 50 },
      drainTimeoutMs: 5000,
      logLevel: 'info',
      backend: { kind: 'simulated', memoryFile: path.join(dir, 'sim-memory'), memorySize: 64 * 1024 * 1024, corruption: [] },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(simulated(config).symbols)).toBe(true);
  });

  it('names every bad key in one error', () => {
    const problems = problemsOf(() =>
      buildConfig(
        {
          server: 'has space:1',
          heartbeatIntervalMs: -5,
          reconnect: { initialMs: 500, maxMs: 100 },
          batch: { maxHits: 'many' },
          tls: { cert: 'a.pem' },
          labels: { '-rack': 'r1', role: 'a b' },
          colour: 'blue',
          backend: {
            kind: 'simulated',
            symbols: { empty_zero_page: 'zero' },
            corruption: [{ paddr: '0x1001', width: 4, values: ['0x1ffffffff'] }],
          },
        },
        {},
        NO_IDENTITY_FILES,
      ),
    );
    const fields = problems.map((p) => p.split(':')[0]);
    expect(fields).toEqual(
      expect.arrayContaining([
        'server',
        'heartbeatIntervalMs',
        'reconnect.maxMs',
        'batch.maxHits',
        'tls.cert',
        'tls.ca',
        'colour',
        'labels.-rack',
        'labels.role',
        'backend.symbols.empty_zero_page',
        'backend.corruption.0.paddr',
        'backend.corruption.0.values.0',
      ]),
    );
    expect(problems).toContain('colour: unknown key');
    expect(problems.find((p) => p.startsWith('reconnect.maxMs'))).toContain('maxMs must be >= initialMs');
  });

  it('needs tls.ca unless insecure, never both, and takes the enrollment token from the file, a token file or the environment', () => {
    const dir = tempDir();
    const { tls: _tls, ...plain } = minimal(dir);
    expect(problemsOf(() => buildConfig(plain, {}, NO_IDENTITY_FILES))).toEqual([expect.stringMatching(/^tls\.ca: required: the CA certificate/)]);
    expect(buildConfig({ ...plain, insecure: true }, {}, NO_IDENTITY_FILES)).toMatchObject({ insecure: true });
    expect(problemsOf(() => buildConfig({ ...minimal(dir), insecure: true }, {}, NO_IDENTITY_FILES))).toEqual(['insecure: cannot be combined with tls (plaintext has no certificates)']);
    const configured = buildConfig({ ...minimal(dir), server: 'orch.example:443', enrollment: { tokenFile: '/run/token' } }, {}, NO_IDENTITY_FILES);
    expect(configured.enrollment).toEqual({ server: 'orch.example:50052', tokenFile: '/run/token' });
    const fromEnv = buildConfig({ ...minimal(dir), enrollment: { server: 'e:1', tokenFile: '/run/token' } }, { PHYSWATCH_ENROLLMENT_TOKEN: 'pwe_x' }, NO_IDENTITY_FILES);
    expect(fromEnv.enrollment).toMatchObject({ server: 'e:1', token: 'pwe_x' });
    expect(problemsOf(() => buildConfig({ ...minimal(dir), enrollment: { token: 'a', tokenFile: 'b' } }, {}, NO_IDENTITY_FILES))).toEqual([
      'enrollment: token and tokenFile: give one, not both',
    ]);
  });

  it('refuses labels a Hello could not carry: too many, too long, or with a NUL', () => {
    const dir = tempDir();
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsOf(() => buildConfig({ ...minimal(dir), labels: many }, {}, NO_IDENTITY_FILES))).toEqual(['labels: at most 256 labels']);
    const problems = problemsOf(() => buildConfig({ ...minimal(dir), labels: { ['k'.repeat(129)]: 'v', nul: 'a\u0000b', long: 'v'.repeat(257) } }, {}, NO_IDENTITY_FILES));
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([`labels.${'k'.repeat(129)}`, 'labels.long', 'labels.nul']);
  });

  it('requires a backend and rejects unknown backend kinds', () => {
    expect(problemsOf(() => buildConfig({ bootId: 'b' }, {}, NO_IDENTITY_FILES))).toEqual([expect.stringMatching(/^backend: /)]);
    expect(problemsOf(() => buildConfig({ bootId: 'b', backend: { kind: 'fpga' } }, {}, NO_IDENTITY_FILES))[0]).toMatch(/^backend\.kind: /);
  });

  it('lets the environment override server, host id, state dir, labels and log level', () => {
    const dir = tempDir();
    const config = buildConfig(
      { ...minimal('/not/used'), server: 'file:1', hostId: 'from-file', labels: { rack: 'r1', role: 'x' } },
      { PHYSWATCH_SERVER: 'env-host:7000', PHYSWATCH_HOST_ID: 'from-env', PHYSWATCH_STATE_DIR: dir, PHYSWATCH_LABELS: 'rack=r12, bios.version=2.1.3', LOG_LEVEL: 'debug' },
      NO_IDENTITY_FILES,
    );
    expect(config).toMatchObject({ server: 'env-host:7000', hostId: 'from-env', stateDir: dir, logLevel: 'debug' });
    expect(config.labels).toEqual({ rack: 'r12', 'bios.version': '2.1.3' });
    expect(simulated(config).memoryFile).toBe(path.join(dir, 'sim-memory'));
  });

  it('names the environment variable when an override is bad', () => {
    const problems = problemsOf(() =>
      buildConfig(minimal(tempDir()), { PHYSWATCH_HOST_ID: '-bad id', PHYSWATCH_LABELS: 'novalue', LOG_LEVEL: 'loud' }, NO_IDENTITY_FILES),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hostId \(from PHYSWATCH_HOST_ID\): /),
        'PHYSWATCH_LABELS: "novalue" is not key=value',
        expect.stringMatching(/^logLevel \(from LOG_LEVEL\): /),
      ]),
    );
  });

  it('takes the host id from machine-id, else persists one in stateDir across restarts', () => {
    const dir = tempDir();
    const machineId = path.join(dir, 'machine-id');
    fs.writeFileSync(machineId, '0123456789abcdef\n');
    expect(buildConfig(minimal(dir), {}, { ...NO_IDENTITY_FILES, machineIdPath: machineId }).hostId).toBe('0123456789abcdef');

    const stateDir = path.join(dir, 'state');
    const first = buildConfig(minimal(stateDir), {}, NO_IDENTITY_FILES).hostId;
    const second = buildConfig(minimal(stateDir), {}, NO_IDENTITY_FILES).hostId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBe(first);
  });

  it('reads the boot id from the kernel unless configured', () => {
    const dir = tempDir();
    const bootIdPath = path.join(dir, 'boot_id');
    fs.writeFileSync(bootIdPath, 'aaaa-bbbb\n');
    const { bootId: _unused, ...noBoot } = minimal(dir);
    expect(buildConfig({ ...noBoot, hostId: 'h' }, {}, { ...NO_IDENTITY_FILES, bootIdPath }).bootId).toBe('aaaa-bbbb');
    expect(problemsOf(() => buildConfig({ ...noBoot, hostId: 'h' }, {}, NO_IDENTITY_FILES))[0]).toMatch(/^bootId: /);
  });

  it('keeps crashing the host off by default and reads kdump paths from the file', () => {
    const dir = tempDir();
    expect(buildConfig(minimal(dir), {}, NO_IDENTITY_FILES).kdump).toEqual({
      allowCrash: false,
      crashDir: '/var/crash',
      sysrqTrigger: '/proc/sysrq-trigger',
      crashKernelLoaded: '/sys/kernel/kexec_crash_loaded',
    });
    const file = path.join(dir, 'agent.json');
    fs.writeFileSync(file, JSON.stringify({ ...minimal(dir), kdump: { allowCrash: true, crashDir: '/srv/crash' } }));
    const config = loadConfigFile(file, {}, NO_IDENTITY_FILES);
    expect(config.kdump).toMatchObject({ allowCrash: true, crashDir: '/srv/crash', sysrqTrigger: '/proc/sysrq-trigger' });
    expect(config.configPath).toBe(file);
  });

  it('names each bad kdump key', () => {
    const problems = problemsOf(() =>
      buildConfig({ ...minimal(tempDir()), kdump: { allowCrash: 'yes', crashDir: '', sysrq: '/x' } }, {}, NO_IDENTITY_FILES),
    );
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['kdump.allowCrash', 'kdump.crashDir', 'kdump.sysrq']);
    expect(problems).toContain('kdump.sysrq: unknown key');
  });

  it('reports an unreadable or non-JSON file as a config problem', () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.json');
    fs.writeFileSync(file, '{ not json');
    expect(problemsOf(() => loadConfigFile(file, {}, NO_IDENTITY_FILES))[0]).toContain('not JSON');
    expect(problemsOf(() => loadConfigFile(path.join(dir, 'missing.json'), {}, NO_IDENTITY_FILES))[0]).toContain('cannot read');
  });
});

describe('deploy/agent.example.json', () => {
  it('is a valid kernel-backend config', () => {
    const file = path.resolve(__dirname, '../../deploy/agent.example.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const config = buildConfig({ ...json, hostId: 'h', bootId: 'b' }, {}, NO_IDENTITY_FILES);
    expect(config.backend).toMatchObject({ kind: 'kernel', load: 'modprobe', device: '/dev/physwatch' });
    expect(config.kdump.allowCrash).toBe(false);
  });
});
