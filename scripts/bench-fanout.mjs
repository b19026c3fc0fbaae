#!/usr/bin/env node
// Fleet fan-out: N simulated agents as real gRPC streams from this one process (each says
// Hello, takes its DesiredState and reports every watch armed, as an agent does), one
// orchestrator process, then one watch selecting all N. Measures the time from the
// POST to each agent reporting armed (p50/p99), and to the orchestrator counting all N
// armed, plus the orchestrator's RSS at that N. Prints numbers; asserts nothing.
// It runs twice: plaintext (GRPC_INSECURE, streams sharing a few HTTP/2 connections: the
// previous figures) and the production path, where each agent first enrolls (Enrollment.Enroll
// with an enrollment token and its CSR: the enrollment rate) and then opens its own mutual-TLS
// connection with its own certificate (the mTLS connect rate).
//
//   node scripts/bench-fanout.mjs           (BENCH_FANOUT_AGENTS=2000 by default)
//   BENCH_FANOUT_AGENTS=20000 node scripts/bench-fanout.mjs
//   BENCH_FANOUT_MODES=mtls node scripts/bench-fanout.mjs   (plaintext,mtls by default)
// Agents send no heartbeats here, so HOST_OFFLINE_AFTER_MS is raised for the run: the
// bench measures fan-out, not liveness.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'packages/proto/package.json'));
const grpc = require('@grpc/grpc-js');
const { loadPhyswatchProto } = require('./dist/index.js');
// The agent's own key and CSR code, as every enrolling agent runs it.
const { newPrivateKeyPem, certificateRequestPem } = createRequire(path.join(ROOT, 'apps/agent/package.json'))('./dist/enrollment/x509.js');
const MODES = (process.env.BENCH_FANOUT_MODES ?? 'plaintext,mtls').split(',');
/** Enroll calls in flight at once, as a fleet rollout would have many agents starting together. */
const ENROLL_CONCURRENCY = 64;
const N = Number(process.env.BENCH_FANOUT_AGENTS ?? 2000);
/** Streams share HTTP/2 connections in groups, as agents behind a few load balancers would not; real agents have one each. */
const CHANNELS = Number(process.env.BENCH_FANOUT_CHANNELS ?? Math.min(200, Math.ceil(N / 100)));
const CONNECT_BATCH = 500;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// The orchestrator's bootstrap admin token for this run; every /api/v1 call sends it.
const TOKEN = `pw-bench-${randomBytes(24).toString('hex')}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = Date.now().toString(36);
let SCHEMA = '';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const rssMiB = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

let orchestrator = null;
let streams = [];
let pkiDir = null;

/** N certificates from Enrollment.Enroll, ENROLL_CONCURRENCY at a time; the CSRs are made first (on each agent, not the orchestrator's cost). */
async function enrollAll(base, enrollPort, caPem) {
  const res = await fetch(`${base}/api/v1/enrollment-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify({ name: 'fan-out', max_uses: N, expires_in: '1h' }),
  });
  const token = await res.json();
  if (res.status !== 201) throw new Error(`creating the enrollment token: ${res.status} ${JSON.stringify(token)}`);
  const keys = [];
  for (let i = 0; i < N; i++) {
    const keyPem = await newPrivateKeyPem();
    keys.push({ keyPem, csrPem: await certificateRequestPem(keyPem, `fan-${i}`) });
  }
  const { Enrollment } = loadPhyswatchProto();
  const client = new Enrollment(`127.0.0.1:${enrollPort}`, grpc.credentials.createSsl(caPem));
  const certs = new Array(N);
  const t0 = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const i = next++;
      certs[i] = await new Promise((resolve, reject) =>
        client.Enroll({ token: token.token, host_id: `fan-${i}`, hostname: `fan-${i}`, csr_pem: keys[i].csrPem }, (err, issued) => (err ? reject(err) : resolve(issued.certificate_pem))),
      );
    }
  };
  await Promise.all(Array.from({ length: ENROLL_CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  client.close();
  return { seconds, credentials: keys.map((k, i) => grpc.credentials.createSsl(caPem, Buffer.from(k.keyPem), Buffer.from(certs[i]))) };
}

async function run(mode) {
  const mtls = mode === 'mtls';
  SCHEMA = `bench_fanout_${RUN}_${mode}`;
  streams = [];
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const enrollPort = await freePort();
  pkiDir = mtls ? mkdtempSync(path.join(tmpdir(), 'physwatch-bench-pki-')) : null;
  orchestrator = spawn(process.execPath, ['apps/orchestrator/dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, REDIS_URL, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
      GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), ENROLL_PORT: String(enrollPort), LOG_LEVEL: 'error', HOST_OFFLINE_AFTER_MS: '3600000', PHYSWATCH_ADMIN_TOKEN: TOKEN,
      // Plaintext logs a warning per connection by design; at error level the bench does not pay for 20,000 of them.
      ...(mtls ? { PKI_DIR: pkiDir } : { GRPC_INSECURE: 'true' }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Logs at warn (20,000 'agent connected' lines would cost CPU), so readiness is polled.
  orchestrator.stdout.resume();
  const exited = new Promise((_, reject) => orchestrator.once('exit', (code) => reject(new Error(`orchestrator exited with ${code}`))));
  for (;;) {
    const up = await Promise.race([fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.ok, () => false), exited]);
    if (up) break; // REST answers once the app is up; gRPC listens before 'ready', checked by the first Hello
    await new Promise((r) => setTimeout(r, 100));
  }
  const base = `http://127.0.0.1:${httpPort}`;
  const { AgentGateway } = loadPhyswatchProto();
  let enrollSeconds = null;
  let clients;
  if (mtls) {
    // Each agent its own connection: a client certificate belongs to one TLS connection.
    const enrolled = await enrollAll(base, enrollPort, readFileSync(path.join(pkiDir, 'ca', 'cert.pem')));
    enrollSeconds = enrolled.seconds;
    clients = enrolled.credentials.map((credentials) => new AgentGateway(`127.0.0.1:${grpcPort}`, credentials, { 'grpc.keepalive_time_ms': 600_000 }));
  } else {
    clients = Array.from({ length: CHANNELS }, (_, i) =>
      new AgentGateway(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure(), { 'physwatch.bench_channel': i, 'grpc.keepalive_time_ms': 600_000 }),
    );
  }

  let watchId = null;
  let createdAt = 0n;
  const armedAfterMs = [];

  const connectOne = (i) =>
    new Promise((resolve, reject) => {
      const call = clients[i % clients.length].Connect();
      const stream = { call, first: false };
      streams.push(stream);
      call.on('error', (err) => (stream.first ? undefined : reject(err)));
      call.on('data', (m) => {
        if (m.msg !== 'desired_state') return;
        const ds = m.desired_state;
        const states = ds.watches.map((w) => ({ watch_id: w.watch_id, phase: 'WATCH_PHASE_ARMED', resolved_paddr: w.paddr, memory_kind: 'MEMORY_KIND_RAM', reason: '' }));
        call.write({ watch_states: { generation: ds.generation, states } });
        if (watchId !== null && ds.watches.some((w) => w.watch_id === watchId) && !stream.armed) {
          stream.armed = true;
          armedAfterMs.push(Number(process.hrtime.bigint() - createdAt) / 1e6);
        }
        if (!stream.first) {
          stream.first = true;
          resolve();
        }
      });
      call.write({
        hello: {
          host_id: `fan-${i}`, boot_id: 'boot-1', hostname: `fan-${i}`, kernel_release: '6.1.0', arch: 'x86_64', agent_version: 'bench',
          labels: { fleet: 'bench', rack: `r${i % 100}` }, capabilities: { backend: 'simulated', max_watches: 64 },
        },
      });
    });

  const c0 = process.hrtime.bigint();
  for (let i = 0; i < N; i += CONNECT_BATCH) {
    await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, N - i) }, (_, k) => connectOne(i + k)));
  }
  const connectSeconds = Number(process.hrtime.bigint() - c0) / 1e9;
  const rssConnected = rssMiB(orchestrator.pid);

  createdAt = process.hrtime.bigint();
  const res = await fetch(`${base}/api/v1/watches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify({ name: 'fan-out', target: { paddr: '0x1000' }, width: 8, condition: 'any_change', interval: '10ms', hosts: { selector: 'fleet=bench' } }),
  });
  const watch = await res.json();
  if (res.status !== 201) throw new Error(`creating the watch: ${res.status} ${JSON.stringify(watch)}`);
  watchId = watch.id;
  const createMs = Number(process.hrtime.bigint() - createdAt) / 1e6;

  let allArmedMs = null;
  const deadline = Date.now() + 600_000;
  let peakRss = rssMiB(orchestrator.pid);
  while (Date.now() < deadline) {
    peakRss = Math.max(peakRss, rssMiB(orchestrator.pid));
    const w = await (await fetch(`${base}/api/v1/watches/${watchId}`, { headers: AUTH })).json();
    if (w.counts?.armed === N) {
      allArmedMs = Number(process.hrtime.bigint() - createdAt) / 1e6;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const sorted = [...armedAfterMs].sort((a, b) => a - b);
  const how = mtls ? `each enrolled and on its own mutual-TLS connection` : `plaintext (GRPC_INSECURE) over ${CHANNELS} shared HTTP/2 connections`;
  console.log(`physwatch fan-out [${mode}] — ${N.toLocaleString('en')} simulated agents as gRPC streams from one process, ${how}, one orchestrator`);
  if (enrollSeconds !== null) {
    console.log(`enroll: ${N.toLocaleString('en')} Enrollment.Enroll (token + CSR -> certificate), ${ENROLL_CONCURRENCY} in flight, in ${enrollSeconds.toFixed(1)} s (${Math.round(N / enrollSeconds).toLocaleString('en')}/s)`);
  }
  console.log(`connect${mtls ? ' (mTLS handshake + certificate check)' : ''}: ${N.toLocaleString('en')} Hello + first DesiredState in ${connectSeconds.toFixed(1)} s (${Math.round(N / connectSeconds).toLocaleString('en')}/s); orchestrator RSS ${rssConnected} MiB`);
  console.log(`POST /watches (placing on ${watch.counts?.pending ?? '?'} hosts): ${createMs.toFixed(0)} ms`);
  if (sorted.length > 0) {
    console.log(`create -> agent has the watch and reports armed (${sorted.length.toLocaleString('en')} agents): p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms`);
  }
  console.log(allArmedMs === null ? 'the orchestrator did not count all agents armed within 600 s' : `create -> orchestrator counts all ${N.toLocaleString('en')} armed: ${(allArmedMs / 1000).toFixed(1)} s`);
  console.log(`orchestrator RSS: ${rssMiB(orchestrator.pid)} MiB at ${N.toLocaleString('en')} streams (peak seen ${peakRss} MiB); load generator RSS ${Math.round(process.memoryUsage().rss / 1048576)} MiB`);
  for (const client of clients) client.close();
  await cleanup();
}

async function main() {
  for (const mode of MODES) {
    if (mode !== 'plaintext' && mode !== 'mtls') throw new Error(`BENCH_FANOUT_MODES: unknown mode ${mode} (plaintext, mtls)`);
    await run(mode);
  }
}

async function cleanup() {
  for (const s of streams) s.call.cancel();
  streams = [];
  if (orchestrator && orchestrator.exitCode === null) {
    orchestrator.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    if (orchestrator.exitCode === null) orchestrator.kill('SIGKILL');
  }
  orchestrator = null;
  if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
  pkiDir = null;
  try {
    execFileSync('psql', [DATABASE_URL, '-qAt', '-c', 'set client_min_messages = warning', '-c', `drop schema if exists ${SCHEMA} cascade`]);
  } catch {
    // the schema may never have been created
  }
}

main()
  .catch(async (err) => {
    console.error(`fan-out bench failed: ${err.stack ?? err}`);
    await cleanup();
    process.exit(1);
  });
