import { accessSync, constants } from 'node:fs';
import { parseSelector, Requirement, SelectorSyntaxError } from '@physwatch/core';
import { z } from 'zod';

/** One crash budget rule: hosts its selector matches share these limits. */
export interface KdumpBudget {
  /** As configured; '' is the whole fleet. */
  readonly selector: string;
  /** Parsed selector; empty for the whole fleet. */
  readonly requirements: readonly Requirement[];
  readonly maxConcurrent: number;
  readonly maxPerHour: number;
}

export interface KdumpConfig {
  readonly budgets: readonly KdumpBudget[];
  readonly deferMaxMs: number;
  readonly replyTimeoutMs: number;
  readonly rebootTimeoutMs: number;
  readonly collectTimeoutMs: number;
}

/** Where the agent CA and the gRPC server certificate come from (docs/contracts.md, "Agent identity"). */
export interface PkiConfig {
  /** PKI_DIR: what is not given as files is generated here at first start (ca/, server/). */
  readonly dir: string;
  /** AGENT_CA_CERT + AGENT_CA_KEY: the CA that signs agent certificates; null: PKI_DIR/ca. */
  readonly ca: { readonly certPath: string; readonly keyPath: string } | null;
  /** GRPC_TLS_CERT + GRPC_TLS_KEY: the gRPC server certificate; null: PKI_DIR/server, signed by the agent CA. */
  readonly server: { readonly certPath: string; readonly keyPath: string } | null;
  /** GRPC_TLS_SERVER_NAMES: DNS names and IP addresses a generated server certificate is valid for. */
  readonly serverNames: readonly string[];
  /** AGENT_CERT_TTL_MS: lifetime of an issued agent certificate (agents renew at two thirds). */
  readonly agentCertTtlMs: number;
  /**
   * BOOTSTRAP_ENROLLMENT_DIR (+ BOOTSTRAP_ENROLLMENT_USES): at first start, an enrollment token
   * is created and written there with the agent CA (token, ca.pem), for agents that share the
   * directory (docker-compose). null: off; tokens come from an admin.
   */
  readonly bootstrapEnrollment: { readonly dir: string; readonly uses: number } | null;
}

/** Everything the orchestrator reads from its environment, validated once at start. */
export interface OrchestratorConfig {
  readonly databaseUrl: string;
  readonly databaseSchema: string;
  /**
   * DATABASE_POOL_MAX: connections for agent streams, hit ingest, the scheduler and jobs;
   * API_DATABASE_POOL_MAX: a pool of its own for the REST API, so a hit storm cannot starve it.
   */
  readonly databasePools: { readonly main: number; readonly api: number };
  readonly redisUrl: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly grpc: {
    readonly host: string;
    /** AgentGateway: mutual TLS (a certificate issued by enrollment), or plaintext when insecure. */
    readonly port: number;
    /** Enrollment: TLS that authenticates the server only; the enrollment token authorizes. */
    readonly enrollPort: number;
    /** GRPC_INSECURE: plaintext, identity taken from Hello, a warning on every connection. Development only. */
    readonly insecure: boolean;
  };
  readonly pki: PkiConfig;
  readonly hostOfflineAfterMs: number;
  /** How often the scheduler leader recomputes (canary soak, offline hosts, start times). */
  readonly schedulerTickMs: number;
  readonly kdump: KdumpConfig;
  /** PHYSWATCH_ADMIN_TOKEN: upserted at start as the admin token named "bootstrap"; null when unset. */
  readonly adminToken: string | null;
  /** TRUST_PROXY: take the client address from X-Forwarded-For (behind a proxy you run). */
  readonly trustProxy: boolean;
  /** The HTTP side's guards against slow and hostile clients (docs/contracts.md, "Hostile input"). */
  readonly httpGuard: {
    /** HTTP_REQUEST_TIMEOUT_MS: headers and body must have arrived in full within this, or 408 and closed. */
    readonly requestTimeoutMs: number;
    /** AUTH_FAILURE_LIMIT failed authentications per source address per AUTH_FAILURE_WINDOW_MS, then 429. */
    readonly authFailureLimit: number;
    readonly authFailureWindowMs: number;
  };
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Injection token for the frozen OrchestratorConfig. */
export const CONFIG = Symbol('OrchestratorConfig');

// The defaults, in one place (docs/contracts.md lists the same table).
export const DEFAULTS = {
  DATABASE_SCHEMA: 'public',
  DATABASE_POOL_MAX: 10,
  API_DATABASE_POOL_MAX: 5,
  HTTP_HOST: '0.0.0.0',
  HTTP_PORT: 8080,
  GRPC_HOST: '0.0.0.0',
  GRPC_PORT: 50051,
  ENROLL_PORT: 50052,
  GRPC_INSECURE: false,
  PKI_DIR: '/var/lib/physwatch/pki',
  GRPC_TLS_SERVER_NAMES: 'localhost,127.0.0.1',
  AGENT_CERT_TTL_MS: 2_592_000_000,
  BOOTSTRAP_ENROLLMENT_USES: 10,
  HOST_OFFLINE_AFTER_MS: 30_000,
  SCHEDULER_TICK_MS: 1_000,
  KDUMP_BUDGETS: '[{"selector":"","max_concurrent":1,"max_per_hour":4}]',
  KDUMP_DEFER_MAX_MS: 3_600_000,
  KDUMP_REPLY_TIMEOUT_MS: 30_000,
  KDUMP_REBOOT_TIMEOUT_MS: 900_000,
  KDUMP_COLLECT_TIMEOUT_MS: 600_000,
  TRUST_PROXY: false,
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  AUTH_FAILURE_LIMIT: 30,
  AUTH_FAILURE_WINDOW_MS: 60_000,
  LOG_LEVEL: 'info',
} as const;

const ADMIN_TOKEN_MIN = 24;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const PORT_RANGE = 'must be a whole number from 0 to 65535 (0 picks a free port)';
const port = z.coerce.number({ error: PORT_RANGE }).int(PORT_RANGE).min(0, PORT_RANGE).max(65535, PORT_RANGE);
const POOL_RANGE = 'must be a whole number of connections from 1 to 1000';
const poolSize = z.coerce.number({ error: POOL_RANGE }).int(POOL_RANGE).min(1, POOL_RANGE).max(1000, POOL_RANGE);
const optionalPath = z.string().min(1, 'must be a file path').optional();
const millis = (min: number) =>
  z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(min, `must be at least ${min}`);

const BUDGET_RULE = z.strictObject({
  selector: z.string({ error: 'required: a label selector, "" for the whole fleet' }),
  max_concurrent: z.number({ error: 'required: a whole number >= 0' }).int('must be a whole number').min(0, 'must be >= 0'),
  max_per_hour: z.number({ error: 'required: a whole number >= 0' }).int('must be a whole number').min(0, 'must be >= 0'),
});

/** KDUMP_BUDGETS: a JSON list of rules; a bad rule is named by its index and field. */
const kdumpBudgets = z.string().transform((text, ctx): KdumpBudget[] => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON: ${(err as Error).message}` });
    return z.NEVER;
  }
  const parsed = z.array(BUDGET_RULE, { error: 'must be a JSON list of {"selector", "max_concurrent", "max_per_hour"}' }).safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  const rules: KdumpBudget[] = [];
  parsed.data.forEach((rule, i) => {
    const selector = rule.selector.trim();
    try {
      rules.push({ selector, requirements: selector === '' ? [] : parseSelector(selector), maxConcurrent: rule.max_concurrent, maxPerHour: rule.max_per_hour });
    } catch (err) {
      if (!(err instanceof SelectorSyntaxError)) throw err;
      ctx.addIssue({ code: 'custom', path: [i, 'selector'], message: `${JSON.stringify(rule.selector)}: ${err.message}` });
    }
  });
  return rules;
});

const ENV = z
  .object({
    DATABASE_URL: z.string({ error: 'required: a Postgres connection string' }).regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
    DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier').default(DEFAULTS.DATABASE_SCHEMA),
    DATABASE_POOL_MAX: poolSize.default(DEFAULTS.DATABASE_POOL_MAX),
    API_DATABASE_POOL_MAX: poolSize.default(DEFAULTS.API_DATABASE_POOL_MAX),
    REDIS_URL: z.string({ error: 'required: a Redis URL such as redis://127.0.0.1:6379' }).regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
    HTTP_HOST: z.string().min(1).default(DEFAULTS.HTTP_HOST),
    HTTP_PORT: port.default(DEFAULTS.HTTP_PORT),
    GRPC_HOST: z.string().min(1).default(DEFAULTS.GRPC_HOST),
    GRPC_PORT: port.default(DEFAULTS.GRPC_PORT),
    ENROLL_PORT: port.default(DEFAULTS.ENROLL_PORT),
    GRPC_INSECURE: z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1').default(DEFAULTS.GRPC_INSECURE),
    PKI_DIR: z.string().min(1, 'must be a directory path').default(DEFAULTS.PKI_DIR),
    AGENT_CA_CERT: optionalPath,
    AGENT_CA_KEY: optionalPath,
    GRPC_TLS_CERT: optionalPath,
    GRPC_TLS_KEY: optionalPath,
    GRPC_TLS_SERVER_NAMES: z
      .string()
      .regex(/^[A-Za-z0-9.:*-]+(,[A-Za-z0-9.:*-]+)*$/, 'must be a comma-separated list of DNS names and IP addresses')
      .default(DEFAULTS.GRPC_TLS_SERVER_NAMES),
    BOOTSTRAP_ENROLLMENT_DIR: optionalPath,
    BOOTSTRAP_ENROLLMENT_USES: z.coerce
      .number({ error: 'must be a whole number from 1 to 1000000' })
      .int('must be a whole number from 1 to 1000000')
      .min(1, 'must be a whole number from 1 to 1000000')
      .max(1_000_000, 'must be a whole number from 1 to 1000000')
      .default(DEFAULTS.BOOTSTRAP_ENROLLMENT_USES),
    AGENT_CERT_TTL_MS: millis(10_000).max(31_622_400_000, 'must be at most a year (31622400000)').default(DEFAULTS.AGENT_CERT_TTL_MS),
    HOST_OFFLINE_AFTER_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(1000, 'must be at least 1000').default(DEFAULTS.HOST_OFFLINE_AFTER_MS),
    SCHEDULER_TICK_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(50, 'must be at least 50').default(DEFAULTS.SCHEDULER_TICK_MS),
    KDUMP_BUDGETS: kdumpBudgets.prefault(DEFAULTS.KDUMP_BUDGETS),
    KDUMP_DEFER_MAX_MS: millis(0).default(DEFAULTS.KDUMP_DEFER_MAX_MS),
    KDUMP_REPLY_TIMEOUT_MS: millis(100).default(DEFAULTS.KDUMP_REPLY_TIMEOUT_MS),
    KDUMP_REBOOT_TIMEOUT_MS: millis(1000).default(DEFAULTS.KDUMP_REBOOT_TIMEOUT_MS),
    KDUMP_COLLECT_TIMEOUT_MS: millis(1000).default(DEFAULTS.KDUMP_COLLECT_TIMEOUT_MS),
    // Never echoed in an error: it is a secret.
    PHYSWATCH_ADMIN_TOKEN: z
      .string()
      .min(ADMIN_TOKEN_MIN, `must be at least ${ADMIN_TOKEN_MIN} characters (a random secret, e.g. from openssl rand -hex 24)`)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an Authorization header)')
      .optional(),
    TRUST_PROXY: z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1').default(DEFAULTS.TRUST_PROXY),
    HTTP_REQUEST_TIMEOUT_MS: millis(500).default(DEFAULTS.HTTP_REQUEST_TIMEOUT_MS),
    AUTH_FAILURE_LIMIT: z.coerce.number({ error: 'must be a whole number >= 1' }).int('must be a whole number').min(1, 'must be at least 1').default(DEFAULTS.AUTH_FAILURE_LIMIT),
    AUTH_FAILURE_WINDOW_MS: millis(1000).default(DEFAULTS.AUTH_FAILURE_WINDOW_MS),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default(DEFAULTS.LOG_LEVEL),
  });

// Checked on the raw env, beside the schema: zod skips object refinements once a key is
// bad, and one error must still name every bad key.
function crossCheck(env: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [a, b] of [['GRPC_TLS_CERT', 'GRPC_TLS_KEY'], ['AGENT_CA_CERT', 'AGENT_CA_KEY']]) {
    if (Boolean(env[a]) !== Boolean(env[b])) problems.push(`${env[a] ? b : a}: ${a} and ${b} go together`);
  }
  if (env.GRPC_TLS_CA) problems.push('GRPC_TLS_CA: no longer read: agents present certificates issued by enrollment, signed by AGENT_CA_CERT (or PKI_DIR/ca)');
  const insecure = env.GRPC_INSECURE === 'true' || env.GRPC_INSECURE === '1';
  if (insecure) {
    for (const key of ['GRPC_TLS_CERT', 'AGENT_CA_CERT', 'BOOTSTRAP_ENROLLMENT_DIR']) if (env[key]) problems.push(`${key}: cannot be combined with GRPC_INSECURE (plaintext has no certificates)`);
  }
  for (const key of ['GRPC_TLS_CERT', 'GRPC_TLS_KEY', 'AGENT_CA_CERT', 'AGENT_CA_KEY']) {
    if (!env[key]) continue;
    try {
      accessSync(env[key], constants.R_OK);
    } catch {
      problems.push(`${key}: cannot read ${env[key]}`);
    }
  }
  return problems;
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child);
  return Object.freeze(value);
}

/** Throws one ConfigError naming every bad key. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  const parsed = ENV.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`)),
    ...crossCheck(present),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return deepFreeze({
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    databasePools: { main: e.DATABASE_POOL_MAX, api: e.API_DATABASE_POOL_MAX },
    redisUrl: e.REDIS_URL,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    grpc: { host: e.GRPC_HOST, port: e.GRPC_PORT, enrollPort: e.ENROLL_PORT, insecure: e.GRPC_INSECURE },
    pki: {
      dir: e.PKI_DIR,
      ca: e.AGENT_CA_CERT && e.AGENT_CA_KEY ? { certPath: e.AGENT_CA_CERT, keyPath: e.AGENT_CA_KEY } : null,
      server: e.GRPC_TLS_CERT && e.GRPC_TLS_KEY ? { certPath: e.GRPC_TLS_CERT, keyPath: e.GRPC_TLS_KEY } : null,
      serverNames: e.GRPC_TLS_SERVER_NAMES.split(','),
      agentCertTtlMs: e.AGENT_CERT_TTL_MS,
      bootstrapEnrollment: e.BOOTSTRAP_ENROLLMENT_DIR ? { dir: e.BOOTSTRAP_ENROLLMENT_DIR, uses: e.BOOTSTRAP_ENROLLMENT_USES } : null,
    },
    hostOfflineAfterMs: e.HOST_OFFLINE_AFTER_MS,
    schedulerTickMs: e.SCHEDULER_TICK_MS,
    kdump: {
      budgets: e.KDUMP_BUDGETS,
      deferMaxMs: e.KDUMP_DEFER_MAX_MS,
      replyTimeoutMs: e.KDUMP_REPLY_TIMEOUT_MS,
      rebootTimeoutMs: e.KDUMP_REBOOT_TIMEOUT_MS,
      collectTimeoutMs: e.KDUMP_COLLECT_TIMEOUT_MS,
    },
    adminToken: e.PHYSWATCH_ADMIN_TOKEN ?? null,
    trustProxy: e.TRUST_PROXY,
    httpGuard: { requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS, authFailureLimit: e.AUTH_FAILURE_LIMIT, authFailureWindowMs: e.AUTH_FAILURE_WINDOW_MS },
    logLevel: e.LOG_LEVEL,
  });
}
