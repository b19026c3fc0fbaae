/**
 * docker-compose.yml as the compose client resolves it (`config`): valid, and each service
 * wired to the others. No Docker engine runs here, so nothing is built or started: these
 * tests prove what the file declares, not that the containers come up. .ci/run installs
 * Debian's docker-compose when the `docker compose` plugin is missing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile } from '@physwatch/agent';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

/** The compose v2 plugin when `docker compose version` answers, else Debian's docker-compose. */
function composeClient(): [string, string[]] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', ['compose']];
  } catch {
    return ['docker-compose', []];
  }
}

function compose(args: string[]): string {
  const [command, prefix] = composeClient();
  try {
    return execFileSync(command, [...prefix, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('no compose client: install the docker compose plugin or Debian\'s docker-compose');
    throw new Error(`${command} ${[...prefix, ...args].join(' ')} refused docker-compose.yml: ${e.stderr}`);
  }
}

interface Service {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: Array<{ published: string | number; target: number }>;
  volumes?: Array<string | { type: string; source: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** The file as the compose client resolves it (paths absolute, defaults filled in). */
function resolved(): { services: Record<string, Service>; volumes: Record<string, unknown> } {
  return parse(compose(['config']));
}

/** [source, target, read-only] of each mount; compose v1 prints "src:dst:mode", v2 objects. */
function mounts(service: Service): Array<[string, string, boolean]> {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return [v.source, v.target, v.read_only === true];
    const [source, target, mode] = v.split(':');
    return [source, target, mode === 'ro'];
  });
}

/** The CMD of one stage of the Dockerfile, as JSON (exec form). */
function dockerfileCmd(stage: string): string[] {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const block = text.split(/^FROM /m).find((b) => new RegExp(`^\\S+ AS ${stage}\\s*$`, 'm').test(b.split('\n')[0]));
  const cmd = block?.match(/^CMD (\[.*\])$/m);
  if (!cmd) throw new Error(`Dockerfile: no exec-form CMD in stage ${stage}`);
  return JSON.parse(cmd[1]);
}

describe('docker-compose.yml', () => {
  it('passes `config -q`', () => {
    expect(compose(['config', '-q'])).toBe('');
  });

  it('declares exactly postgres, redis, the orchestrator and two agents', () => {
    const services = compose(['config', '--services']).trim().split('\n').sort();
    expect(services).toEqual(['agent-1', 'agent-2', 'orchestrator', 'postgres', 'redis']);
  });

  it('declares postgres 15 and redis 7 (append-only) from their images, each with the healthcheck the orchestrator waits on', () => {
    const { postgres, redis } = resolved().services;
    expect(postgres.image).toBe('postgres:15');
    expect(postgres.build).toBeUndefined();
    expect(Object.keys(postgres.environment ?? {}).sort()).toEqual(['POSTGRES_DB', 'POSTGRES_PASSWORD', 'POSTGRES_USER']);
    expect(postgres.healthcheck?.test).toEqual(['CMD', 'pg_isready', '-U', postgres.environment!.POSTGRES_USER]);
    expect(mounts(postgres)).toEqual([['pgdata', '/var/lib/postgresql/data', false]]);
    expect(redis.image).toBe('redis:7');
    expect(redis.command).toEqual(['redis-server', '--appendonly', 'yes']);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('declares the orchestrator built from the Dockerfile stage, pointed at those services with postgres\'s own credentials, its ports published, healthy when /readyz answers, started after both are healthy', () => {
    const { postgres, orchestrator } = resolved().services;
    expect(orchestrator.build).toEqual({ context: ROOT, target: 'orchestrator' });
    expect(dockerfileCmd('orchestrator')).toEqual(['node', 'apps/orchestrator/dist/main.js']);
    const env = orchestrator.environment!;
    expect(Object.keys(env).sort()).toEqual([
      'BOOTSTRAP_ENROLLMENT_DIR', 'BOOTSTRAP_ENROLLMENT_USES', 'DATABASE_URL', 'ENROLL_PORT', 'GRPC_PORT', 'GRPC_TLS_SERVER_NAMES', 'HTTP_PORT', 'PHYSWATCH_ADMIN_TOKEN', 'PKI_DIR', 'REDIS_URL',
    ]);
    // Agents reach it as "orchestrator": its generated server certificate must name that.
    expect(env.GRPC_TLS_SERVER_NAMES.split(',')).toContain('orchestrator');
    expect(mounts(orchestrator)).toEqual([['pki', env.PKI_DIR, false], ['enroll', env.BOOTSTRAP_ENROLLMENT_DIR, false]]);
    const db = new URL(env.DATABASE_URL);
    expect([db.protocol, db.username, db.password, db.hostname, db.port, db.pathname]).toEqual([
      'postgres:', postgres.environment!.POSTGRES_USER, postgres.environment!.POSTGRES_PASSWORD, 'postgres', '5432', `/${postgres.environment!.POSTGRES_DB}`,
    ]);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    // Unset unless the caller exports it: compose must not ship a known admin secret.
    expect(env.PHYSWATCH_ADMIN_TOKEN).toBe('');
    expect(orchestrator.ports?.map((p) => [Number(p.published), p.target])).toEqual([
      [Number(env.HTTP_PORT), Number(env.HTTP_PORT)],
      [Number(env.GRPC_PORT), Number(env.GRPC_PORT)],
      [Number(env.ENROLL_PORT), Number(env.ENROLL_PORT)],
    ]);
    expect(orchestrator.healthcheck?.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(orchestrator.healthcheck?.test[3]).toContain(`fetch('http://127.0.0.1:${env.HTTP_PORT}/readyz')`);
    expect(orchestrator.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  });

  it('declares two agents built from the agent stage, each with a valid agent config where the image reads it: the orchestrator\'s gRPC port, its own host id, the simulated backend, state on its own volume', () => {
    const { services, volumes } = resolved();
    const { GRPC_PORT: grpcPort, ENROLL_PORT: enrollPort, BOOTSTRAP_ENROLLMENT_DIR: enrollDir } = services.orchestrator.environment!;
    const cmd = dockerfileCmd('agent');
    expect(cmd.slice(0, 3)).toEqual(['node', 'apps/agent/dist/main.js', '--config']);
    const hostIds: string[] = [];
    const stateVolumes: string[] = [];
    for (const name of ['agent-1', 'agent-2']) {
      const agent = services[name];
      expect(agent.build, name).toEqual({ context: ROOT, target: 'agent' });
      expect(agent.depends_on, name).toMatchObject({ orchestrator: { condition: 'service_healthy' } });
      const configMount = mounts(agent).find(([, target]) => target === cmd[3]);
      expect(configMount, `${name} mounts its config at ${cmd[3]}`).toBeDefined();
      expect(configMount![2], `${name}: config read-only`).toBe(true);
      // The agent's own validation, as at its start (no environment overrides).
      const config = loadConfigFile(configMount![0], {});
      expect(config.server, name).toBe(`orchestrator:${grpcPort}`);
      // TLS + enrollment from the orchestrator's bootstrap directory, read-only; never its PKI volume (the CA key).
      expect(config.insecure, name).toBe(false);
      expect(config.enrollment.server, name).toBe(`orchestrator:${enrollPort}`);
      expect([config.tls?.ca, config.enrollment.tokenFile], name).toEqual([`${enrollDir}/ca.pem`, `${enrollDir}/token`]);
      expect(mounts(agent), name).toContainEqual(['enroll', enrollDir, true]);
      expect(mounts(agent).map(([source]) => source), name).not.toContain('pki');
      expect(config.backend.kind, name).toBe('simulated');
      const stateMount = mounts(agent).find(([, target]) => target === config.stateDir);
      expect(stateMount, `${name} keeps ${config.stateDir} on a volume`).toBeDefined();
      expect(Object.keys(volumes), name).toContain(stateMount![0]);
      hostIds.push(config.hostId);
      stateVolumes.push(stateMount![0]);
    }
    expect(new Set(hostIds).size).toBe(2);
    expect(new Set(stateVolumes).size).toBe(2);
  });
});
