import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from './config';

const minimal = { DATABASE_URL: 'postgres://postgres@127.0.0.1/test', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig', () => {
  it('fills the documented defaults and freezes the result', () => {
    const config = loadConfig(minimal);
    expect(config).toEqual({
      databaseUrl: minimal.DATABASE_URL,
      databaseSchema: DEFAULTS.DATABASE_SCHEMA,
      databasePools: { main: 10, api: 5 },
      redisUrl: minimal.REDIS_URL,
      http: { host: '0.0.0.0', port: 8080 },
      grpc: { host: '0.0.0.0', port: 50051, enrollPort: 50052, insecure: false },
      pki: { dir: '/var/lib/physwatch/pki', ca: null, server: null, serverNames: ['localhost', '127.0.0.1'], agentCertTtlMs: 2_592_000_000, bootstrapEnrollment: null },
      hostOfflineAfterMs: 30_000,
      schedulerTickMs: 1_000,
      kdump: {
        budgets: [{ selector: '', requirements: [], maxConcurrent: 1, maxPerHour: 4 }],
        deferMaxMs: 3_600_000,
        replyTimeoutMs: 30_000,
        rebootTimeoutMs: 900_000,
        collectTimeoutMs: 600_000,
      },
      adminToken: null,
      trustProxy: false,
      httpGuard: { requestTimeoutMs: 30_000, authFailureLimit: 30, authFailureWindowMs: 60_000 },
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.grpc)).toBe(true);
  });

  it('names every bad key in one error', () => {
    let error: unknown;
    try {
      loadConfig({ HTTP_PORT: '70000', GRPC_PORT: 'abc', LOG_LEVEL: 'loud', GRPC_TLS_CERT: __filename, DATABASE_SCHEMA: 'Bad-Name', DATABASE_POOL_MAX: '0', API_DATABASE_POOL_MAX: 'lots' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'HTTP_PORT', 'GRPC_PORT', 'LOG_LEVEL', 'GRPC_TLS_KEY', 'DATABASE_SCHEMA', 'DATABASE_POOL_MAX', 'API_DATABASE_POOL_MAX']) {
      expect(message).toContain(`${key}:`);
    }
  });

  it('takes PHYSWATCH_ADMIN_TOKEN of 24 characters or more, refusing a short one without echoing it', () => {
    expect(loadConfig({ ...minimal, PHYSWATCH_ADMIN_TOKEN: 'a'.repeat(24), TRUST_PROXY: 'true' })).toMatchObject({ adminToken: 'a'.repeat(24), trustProxy: true });
    let message = '';
    try {
      loadConfig({ ...minimal, PHYSWATCH_ADMIN_TOKEN: 'short-secret', TRUST_PROXY: 'maybe' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PHYSWATCH_ADMIN_TOKEN: must be at least 24 characters');
    expect(message).toContain('TRUST_PROXY: must be true or false');
    expect(message).not.toContain('short-secret');
  });

  it('reads ports 0 (pick a free one), a given agent CA and server certificate, and the server names', () => {
    // Any readable files will do: the config checks they can be read, the PKI loader parses them.
    const config = loadConfig({
      ...minimal, HTTP_PORT: '0', GRPC_PORT: '0', ENROLL_PORT: '0', GRPC_TLS_CERT: __filename, GRPC_TLS_KEY: __filename,
      AGENT_CA_CERT: __filename, AGENT_CA_KEY: __filename, GRPC_TLS_SERVER_NAMES: 'orchestrator,10.0.0.5', AGENT_CERT_TTL_MS: '86400000',
      BOOTSTRAP_ENROLLMENT_DIR: '/var/lib/physwatch/enroll', BOOTSTRAP_ENROLLMENT_USES: '2',
    });
    expect(config.http.port).toBe(0);
    expect(config.grpc).toEqual({ host: '0.0.0.0', port: 0, enrollPort: 0, insecure: false });
    expect(config.pki).toEqual({
      dir: '/var/lib/physwatch/pki',
      ca: { certPath: __filename, keyPath: __filename },
      server: { certPath: __filename, keyPath: __filename },
      serverNames: ['orchestrator', '10.0.0.5'],
      agentCertTtlMs: 86_400_000,
      bootstrapEnrollment: { dir: '/var/lib/physwatch/enroll', uses: 2 },
    });
  });

  it('takes plaintext only with GRPC_INSECURE, never together with certificates, and refuses the retired GRPC_TLS_CA', () => {
    expect(loadConfig({ ...minimal, GRPC_INSECURE: 'true' }).grpc.insecure).toBe(true);
    expect(() => loadConfig({ ...minimal, GRPC_INSECURE: 'true', GRPC_TLS_CERT: __filename, GRPC_TLS_KEY: __filename })).toThrow(
      'GRPC_TLS_CERT: cannot be combined with GRPC_INSECURE',
    );
    expect(() => loadConfig({ ...minimal, GRPC_TLS_CA: __filename })).toThrow('GRPC_TLS_CA: no longer read');
    expect(() => loadConfig({ ...minimal, AGENT_CA_CERT: __filename })).toThrow('AGENT_CA_KEY: AGENT_CA_CERT and AGENT_CA_KEY go together');
    expect(() => loadConfig({ ...minimal, AGENT_CERT_TTL_MS: '500' })).toThrow('AGENT_CERT_TTL_MS: must be at least 10000');
  });

  it('names TLS files it cannot read', () => {
    expect(() => loadConfig({ ...minimal, GRPC_TLS_CERT: '/nonexistent/cert.pem', GRPC_TLS_KEY: __filename })).toThrow(
      'GRPC_TLS_CERT: cannot read /nonexistent/cert.pem',
    );
  });

  it('reads crash budgets with their selectors, and names a bad rule by index and field', () => {
    const config = loadConfig({ ...minimal, KDUMP_BUDGETS: '[{"selector":"rack=r1","max_concurrent":2,"max_per_hour":10},{"selector":"","max_concurrent":3,"max_per_hour":0}]' });
    expect(config.kdump.budgets).toEqual([
      { selector: 'rack=r1', requirements: [{ key: 'rack', op: 'eq', value: 'r1' }], maxConcurrent: 2, maxPerHour: 10 },
      { selector: '', requirements: [], maxConcurrent: 3, maxPerHour: 0 },
    ]);
    const bad = () => loadConfig({ ...minimal, KDUMP_BUDGETS: '[{"selector":"rack==","max_concurrent":1,"max_per_hour":1},{"selector":"","max_concurrent":-1}]', KDUMP_REPLY_TIMEOUT_MS: 'soon' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/KDUMP_BUDGETS\.1\.max_concurrent: must be >= 0/);
    expect(bad).toThrow(/KDUMP_BUDGETS\.1\.max_per_hour: required/);
    expect(bad).toThrow(/KDUMP_REPLY_TIMEOUT_MS: must be a number of milliseconds/);
    expect(() => loadConfig({ ...minimal, KDUMP_BUDGETS: '[{"selector":"a,,b","max_concurrent":1,"max_per_hour":1}]' })).toThrow(/KDUMP_BUDGETS\.0\.selector: "a,,b": empty requirement/);
    expect(() => loadConfig({ ...minimal, KDUMP_BUDGETS: '{"selector":""}' })).toThrow(/KDUMP_BUDGETS: must be a JSON list/);
    expect(() => loadConfig({ ...minimal, KDUMP_BUDGETS: '[' })).toThrow(/KDUMP_BUDGETS: not JSON/);
  });
});
