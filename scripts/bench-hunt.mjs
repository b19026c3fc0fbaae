#!/usr/bin/env node
// The hunt's reaction time: N simulated agents as gRPC streams from this one process (each
// says Hello and reports every watch of its DesiredState armed at once, as an agent does),
// one orchestrator process, one hunt on all N (stage 0: 30 ms; a host advances after 1 hit;
// no cohort, so each hit moves exactly its own host). Once stage 0 is armed everywhere, hits
// are sent for BENCH_HUNT_HITS hosts spread over a few scheduler ticks, and for each one the
// time from sending the hit to the host's stream receiving the DesiredState that holds the
// stage 1 watch (which this stream then reports armed in the same turn) is measured: p50/p99.
// It is bounded below by the leader's tick (SCHEDULER_TICK_MS, printed). Asserts nothing.
//
//   node scripts/bench-hunt.mjs     (BENCH_HUNT_AGENTS=2000, BENCH_HUNT_HITS=200, BENCH_HUNT_TICK_MS=1000 by default)
// Agents send no heartbeats here, so HOST_OFFLINE_AFTER_MS is raised for the run.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'packages/proto/package.json'));
const grpc = require('@grpc/grpc-js');
const { loadPhyswatchProto } = require('./dist/index.js');
const N = Number(process.env.BENCH_HUNT_AGENTS ?? 2000);
const HITS = Math.min(N, Number(process.env.BENCH_HUNT_HITS ?? 200));
const TICK_MS = Number(process.env.BENCH_HUNT_TICK_MS ?? 1000);
/** Hits are sent over this many ticks, so a reaction is not only the first pass's. */
const SPREAD_TICKS = 4;
const CHANNELS = Math.min(200, Math.ceil(N / 100));
const CONNECT_BATCH = 500;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = `pw-bench-${randomBytes(24).toString('hex')}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const SCHEMA = `bench_hunt_${Date.now().toString(36)}`;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let orchestrator = null;
const streams = [];

async function api(base, method, p, body) {
  const res = await fetch(base + p, { method, headers: { ...AUTH, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function main() {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  orchestrator = spawn(process.execPath, ['apps/orchestrator/dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, REDIS_URL, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
      GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), ENROLL_PORT: String(await freePort()), LOG_LEVEL: 'error',
      HOST_OFFLINE_AFTER_MS: '3600000', PHYSWATCH_ADMIN_TOKEN: TOKEN, GRPC_INSECURE: 'true', SCHEDULER_TICK_MS: String(TICK_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  orchestrator.stdout.resume();
  const exited = new Promise((_, reject) => orchestrator.once('exit', (code) => reject(new Error(`orchestrator exited with ${code}`))));
  const base = `http://127.0.0.1:${httpPort}`;
  while (!(await Promise.race([fetch(`${base}/healthz`).then((r) => r.ok, () => false), exited]))) await sleep(100);

  const { AgentGateway } = loadPhyswatchProto();
  const clients = Array.from({ length: CHANNELS }, (_, i) => new AgentGateway(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure(), { 'physwatch.bench_channel': i, 'grpc.keepalive_time_ms': 600_000 }));
  let stage0 = null;
  const connectOne = (i) =>
    new Promise((resolve, reject) => {
      const call = clients[i % clients.length].Connect();
      const stream = { call, hostId: `hunt-${i}`, first: false, watches: new Set(), sentAt: null, reactedMs: null };
      streams.push(stream);
      call.on('error', (err) => (stream.first ? undefined : reject(err)));
      call.on('data', (m) => {
        if (m.msg !== 'desired_state') return;
        const ds = m.desired_state;
        stream.watches = new Set(ds.watches.map((w) => w.watch_id));
        const states = ds.watches.map((w) => ({ watch_id: w.watch_id, phase: 'WATCH_PHASE_ARMED', resolved_paddr: '4096', memory_kind: 'MEMORY_KIND_RAM', reason: '' }));
        call.write({ watch_states: { generation: ds.generation, states } });
        // The next stage's watch arrived (and stage 0's left): the host is armed one stage up.
        if (stream.sentAt !== null && stream.reactedMs === null && stage0 !== null && stream.watches.size > 0 && !stream.watches.has(stage0)) {
          stream.reactedMs = Number(process.hrtime.bigint() - stream.sentAt) / 1e6;
        }
        if (!stream.first) {
          stream.first = true;
          resolve();
        }
      });
      call.write({
        hello: {
          host_id: stream.hostId, boot_id: 'boot-1', hostname: stream.hostId, kernel_release: '6.1.0', arch: 'x86_64', agent_version: 'bench',
          labels: { fleet: 'hunt' }, capabilities: { backend: 'simulated', max_watches: 64 },
        },
      });
    });
  for (let i = 0; i < N; i += CONNECT_BATCH) await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, N - i) }, (_, k) => connectOne(i + k)));

  const hunt = await api(base, 'POST', '/api/v1/hunts', {
    name: 'bench', target: { paddr: '0x1000' }, width: 8, condition: 'any_change', hosts: { selector: 'fleet=hunt' },
    stages: [{ interval: '30ms', advance: { after_hits: 1 } }, { interval: '1ms', advance: { after_hits: 1 } }, { action: 'stack' }],
  });
  stage0 = hunt.stages[0].watch_id;
  const t0 = Date.now();
  for (;;) {
    const w = await api(base, 'GET', `/api/v1/watches/${stage0}`);
    if (w.counts.armed === N) break;
    if (Date.now() - t0 > 600_000) throw new Error(`stage 0 armed on ${w.counts.armed} of ${N} hosts after 600 s`);
    await sleep(250);
  }
  const armedSeconds = (Date.now() - t0) / 1000;

  // Every (N / HITS)-th host hits once, spread evenly over SPREAD_TICKS ticks.
  const chosen = Array.from({ length: HITS }, (_, k) => streams[Math.floor((k * N) / HITS)]);
  const gapMs = (SPREAD_TICKS * TICK_MS) / HITS;
  for (const [k, s] of chosen.entries()) {
    s.sentAt = process.hrtime.bigint();
    s.call.write({
      hit_batch: {
        boot_id: 'boot-1',
        hits: [{
          seq: '1', watch_id: stage0, realtime_ns: String(BigInt(Date.now()) * 1_000_000n), boottime_ns: String(1_000_000 + k), last_old_boottime_ns: '0',
          cpu: 0, paddr: '4096', offset: 0, width: 8, old_value: '0', new_value: '51', pid: 1, comm: 'bench', ip: 'bench+0x0', stack: '', action: 'ACTION_REPORT',
        }],
      },
    });
    await sleep(gapMs);
  }
  const deadline = Date.now() + 120_000;
  while (chosen.some((s) => s.reactedMs === null) && Date.now() < deadline) await sleep(100);
  const reacted = chosen.filter((s) => s.reactedMs !== null).map((s) => s.reactedMs).sort((a, b) => a - b);
  const detail = await api(base, 'GET', `/api/v1/hunts/${hunt.id}`);
  const others = detail.hosts.filter((h) => !chosen.some((s) => s.hostId === h.host_id) && h.stage !== 0).length;

  console.log(`physwatch hunt reaction — ${N.toLocaleString('en')} simulated agents as gRPC streams from one process (plaintext), one orchestrator, SCHEDULER_TICK_MS=${TICK_MS}`);
  console.log(`stage 0 (30 ms) armed on all ${N.toLocaleString('en')} hosts ${armedSeconds.toFixed(1)} s after POST /hunts`);
  console.log(`hit -> host armed at stage 1 (${reacted.length} of ${HITS} hosts, hits spread over ${SPREAD_TICKS} ticks): p50 ${percentile(reacted, 50)?.toFixed(0)} ms, p99 ${percentile(reacted, 99)?.toFixed(0)} ms, max ${reacted.at(-1)?.toFixed(0)} ms`);
  console.log(`hosts that did not hit and left stage 0: ${others} (expected 0)`);
  for (const client of clients) client.close();
}

async function cleanup() {
  for (const s of streams) s.call.cancel();
  if (orchestrator && orchestrator.exitCode === null) {
    orchestrator.kill('SIGTERM');
    await sleep(2000);
    if (orchestrator.exitCode === null) orchestrator.kill('SIGKILL');
  }
  try {
    execFileSync('psql', [DATABASE_URL, '-qAt', '-c', 'set client_min_messages = warning', '-c', `drop schema if exists ${SCHEMA} cascade`]);
  } catch {
    // the schema may never have been created
  }
}

main()
  .then(cleanup)
  .catch(async (err) => {
    console.error(`hunt bench failed: ${err.stack ?? err}`);
    await cleanup();
    process.exit(1);
  });
