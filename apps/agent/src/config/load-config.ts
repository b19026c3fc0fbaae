/** File, then environment, then one validation; the only way to get an AgentConfig. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from './config-error';
import { IdentitySources, LINUX_IDENTITY_SOURCES, resolveBootId, resolveHostId } from './identity';
import { AgentConfig, configSchema } from './schema';

/** Environment variable -> config key it replaces. */
const ENV_OVERRIDES = {
  PHYSWATCH_SERVER: 'server',
  PHYSWATCH_HOST_ID: 'hostId',
  PHYSWATCH_STATE_DIR: 'stateDir',
  PHYSWATCH_LABELS: 'labels',
  LOG_LEVEL: 'logLevel',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** `k=v,k2=v2`; the labels replace the file's labels, like every other override. */
function parseLabels(text: string, problems: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push(`PHYSWATCH_LABELS: "${pair}" is not key=value`);
      return undefined;
    }
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

function applyEnv(raw: Record<string, unknown>, env: Env, problems: string[]): Map<string, string> {
  const fromEnv = new Map<string, string>();
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = key === 'labels' ? parseLabels(text, problems) : text;
    if (value === undefined) continue;
    raw[key] = value;
    fromEnv.set(key, name);
  }
  return fromEnv;
}

function describeIssue(issue: z.core.$ZodIssue, fromEnv: Map<string, string>): string[] {
  const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
  return keys.map((p) => {
    const field = p.length === 0 ? '(config)' : p.map(String).join('.');
    const env = fromEnv.get(String(p[0]));
    const where = env ? `${field} (from ${env})` : field;
    return `${where}: ${issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message}`;
  });
}

/**
 * Validates an already-read config object. Throws ConfigError naming every bad key;
 * identity is resolved here so the rest of the agent never reads /etc or /proc.
 */
export function buildConfig(
  fileContent: unknown,
  env: Env = process.env,
  sources: IdentitySources = LINUX_IDENTITY_SOURCES,
  configPath = '(configuration built in code)',
): AgentConfig {
  const problems: string[] = [];
  if (typeof fileContent !== 'object' || fileContent === null || Array.isArray(fileContent)) {
    throw new ConfigError(['(config): must be a JSON object']);
  }
  const raw: Record<string, unknown> = { ...fileContent };
  if ('logLevel' in raw) problems.push('logLevel: unknown key (set LOG_LEVEL in the environment)');
  const fromEnv = applyEnv(raw, env, problems);
  if (env.PHYSWATCH_ENROLLMENT_TOKEN) {
    const enrollment = typeof raw.enrollment === 'object' && raw.enrollment !== null ? raw.enrollment : {};
    raw.enrollment = { ...enrollment, token: env.PHYSWATCH_ENROLLMENT_TOKEN, tokenFile: undefined };
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success && !parsed.data.insecure && !parsed.data.tls) {
    problems.push("tls.ca: required: the CA certificate (PEM path) that signed the orchestrator's gRPC server certificate (its PKI_DIR/ca/cert.pem), or insecure: true for a development orchestrator running GRPC_INSECURE");
  }
  if (parsed.success && parsed.data.insecure && parsed.data.tls) problems.push('insecure: cannot be combined with tls (plaintext has no certificates)');
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, fromEnv)));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const cfg = parsed.data;
  const bootId = resolveBootId(cfg.bootId, sources);
  if (!bootId) throw new ConfigError([`bootId: not configured and ${sources.bootIdPath} is unreadable`]);
  const hostId = resolveHostId(cfg.hostId, cfg.stateDir, sources);
  const config: AgentConfig = {
    ...cfg,
    hostId,
    bootId,
    hostname: cfg.hostname ?? os.hostname(),
    configPath,
    enrollment: { ...cfg.enrollment, server: cfg.enrollment.server ?? defaultEnrollServer(cfg.server) },
    backend:
      cfg.backend.kind === 'simulated'
        ? { ...cfg.backend, memoryFile: cfg.backend.memoryFile ?? path.join(cfg.stateDir, 'sim-memory') }
        : {
            ...cfg.backend,
            load: cfg.backend.load ?? (cfg.backend.modulePath ? 'insmod' : 'modprobe'),
            watchFile: path.join(cfg.stateDir, 'kernel-watches.json'),
          },
  };
  return deepFreeze(config);
}

/** The Enrollment port beside the stream port: same host, 50052. */
function defaultEnrollServer(server: string): string {
  return `${server.slice(0, server.lastIndexOf(':'))}:50052`;
}

export function loadConfigFile(file: string, env: Env = process.env, sources?: IdentitySources): AgentConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`--config ${file}: cannot read (${(err as Error).message})`], { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`--config ${file}: not JSON (${(err as Error).message})`], { cause: err });
  }
  return buildConfig(json, env, sources, path.resolve(file));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
