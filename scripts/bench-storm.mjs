#!/usr/bin/env node
// Through a hit storm (issue 16): what the REST API and the agents feel while ingest is
// overloaded. N simulated agents watch a 4 KiB region the bench rewrites every millisecond
// (as scripts/bench.mjs), so they always have more hits than ingest can take. Prints:
// - REST p50/p99 of GET /api/v1/hits during the storm, next to the same requests idle
//   (agents paused, the orchestrator quiet, same rows): the API has its own database pool
//   (API_DATABASE_POOL_MAX); /healthz beside it tells CPU from connections;
// - each agent's peak RSS (VmHWM from /proc) after the orchestrator was stopped (SIGSTOP)
//   for BENCH_BACKLOG_SECONDS with the storm going on, next to the backlog its spool then
//   held (unacked hits, counted from the journal): the spool's memory cap bounds it.
// Asserts nothing.
//
//   node scripts/bench-storm.mjs   (BENCH_STORM_AGENTS=4 BENCH_STORM_SECONDS=15 BENCH_BACKLOG_SECONDS=20)
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AGENTS = Number(process.env.BENCH_STORM_AGENTS ?? 4);
const STORM_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 15);
const BACKLOG_SECONDS = Number(process.env.BENCH_BACKLOG_SECONDS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = `pw-bench-${randomBytes(24).toString('hex')}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const SCHEMA = `bench_storm_${Date.now().toString(36)}`;
const REGION = 0x100000;
const REGION_LEN = 4096;
const work = mkdtempSync(path.join(tmpdir(), 'physwatch-bench-storm-'));
const children = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (value) => `${value.toFixed(1)} ms`;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function start(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  children.push(child);
  return child;
}

function untilLine(child, needle) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', function onData(d) {
      text += d;
      if (text.includes(needle)) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${needle}"`)));
  });
}

/** Sequential GETs of `url` until `stop()`; latencies in ms, sorted. */
async function latencies(url, stop) {
  const times = [];
  while (!stop()) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(url, { headers: AUTH });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/**
 * For `seconds`: a page of 100 hits of one watch (REST, through the API's pool) and, beside it,
 * /healthz (no database): when both are slow, it is the orchestrator's CPU, not its connections.
 */
async function restFor(base, watchId, seconds) {
  let over = false;
  const [hits, healthz] = await Promise.all([
    latencies(`${base}/api/v1/hits?watch_id=${watchId}&limit=100`, () => over),
    latencies(`${base}/healthz`, () => over),
    sleep(seconds * 1000).then(() => (over = true)),
  ]);
  return { hits, healthz };
}

function describeLatencies(sorted) {
  return `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))} (${sorted.length} requests)`;
}

/** CPU seconds a process has used so far (/proc/<pid>/stat utime + stime). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Waits (up to 60 s) until the process uses under a tenth of a core: batches already received are stored. */
async function untilQuiet(pid) {
  const until = Date.now() + 60_000;
  for (let before = cpuSeconds(pid); Date.now() < until; ) {
    await sleep(1000);
    const now = cpuSeconds(pid);
    if (now - before < 0.1) return;
    before = now;
  }
}

/** Peak (VmHWM) and current (VmRSS) resident set of a live process, from /proc/<pid>/status. */
function statusMiB(pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]) / 1024;
}
const peakRssMiB = (pid) => statusMiB(pid, 'VmHWM');
const rssMiB = (pid) => statusMiB(pid, 'VmRSS');

/** Unacked hits in a spool journal: hit lines above their boot's highest ack (line format: apps/agent/src/spool/journal-format.ts). */
async function unackedInJournal(file) {
  const hits = new Map();
  const acked = new Map();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    const m = /^\{"t":"([ham])","b":"([^"]*)","s":"([0-9]+)"/.exec(line);
    if (!m) continue;
    const [, t, boot, seq] = m;
    if (t === 'h') (hits.get(boot) ?? hits.set(boot, []).get(boot)).push(Number(seq));
    if (t === 'a') acked.set(boot, Math.max(acked.get(boot) ?? 0, Number(seq)));
  }
  let count = 0;
  for (const [boot, seqs] of hits) count += seqs.filter((s) => s > (acked.get(boot) ?? 0)).length;
  return count;
}

async function createWatch(base) {
  const res = await fetch(`${base}/api/v1/watches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify({
      name: 'bench-storm: 4 KiB region, any change',
      target: { paddr: `0x${REGION.toString(16)}` },
      width: 8,
      len: REGION_LEN,
      condition: 'any_change',
      interval: '1ms',
      hosts: { selector: 'bench=true' },
    }),
  });
  const watch = await res.json();
  if (res.status !== 201) throw new Error(`creating the watch: ${res.status} ${JSON.stringify(watch)}`);
  const armBy = Date.now() + 60_000;
  for (;;) {
    const w = await (await fetch(`${base}/api/v1/watches/${watch.id}`, { headers: AUTH })).json();
    if (w.counts?.armed === AGENTS) return watch.id;
    if (Date.now() > armBy) throw new Error(`only ${w.counts?.armed ?? 0} of ${AGENTS} agents armed the watch within 60 s`);
    await sleep(200);
  }
}

async function main() {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const orchestrator = start('orchestrator', ['apps/orchestrator/dist/main.js'], {
    DATABASE_URL,
    DATABASE_SCHEMA: SCHEMA,
    REDIS_URL,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    // Plaintext agents, no enrollment: this bench is about load, not TLS setup.
    GRPC_INSECURE: 'true',
    PHYSWATCH_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  });
  await untilLine(orchestrator, 'orchestrator ready');

  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const dir = path.join(work, `agent-${i}`);
    mkdirSync(dir, { recursive: true });
    const memoryFile = path.join(dir, 'sim-memory');
    writeFileSync(
      path.join(dir, 'agent.json'),
      JSON.stringify({
        server: `127.0.0.1:${grpcPort}`,
        insecure: true,
        hostId: `storm-${i}`,
        labels: { bench: 'true' },
        stateDir: dir,
        batch: { maxHits: 1000, maxDelayMs: 20 },
        backend: { kind: 'simulated', memoryFile, memorySize: 4 * 1024 * 1024, symbols: {} },
      }),
    );
    const child = start(`agent-${i}`, ['apps/agent/dist/main.js', '--config', path.join(dir, 'agent.json')], { LOG_LEVEL: 'warn' });
    child.stdout.resume();
    agents.push({ child, memoryFile, journal: path.join(dir, 'spool', 'journal.jsonl') });
  }
  const base = `http://127.0.0.1:${httpPort}`;
  const watchId = await createWatch(base);

  // The "device": rewrites every word of every agent's region each millisecond.
  const fds = agents.map((a) => openSync(a.memoryFile, 'r+'));
  const corrupt = setInterval(() => {
    for (const fd of fds) writeSync(fd, randomBytes(REGION_LEN), 0, REGION_LEN, REGION);
  }, 1);

  await sleep(3000); // warm-up: the storm reaches the database
  const storm = await restFor(base, watchId, STORM_SECONDS);

  // Idle: the same rows, nothing arriving (agents paused, batches in flight given time to land).
  for (const a of agents) a.child.kill('SIGSTOP');
  await untilQuiet(orchestrator.pid);
  const idle = await restFor(base, watchId, 5);
  for (const a of agents) a.child.kill('SIGCONT');

  // Backlog: the orchestrator stops answering while the storm goes on; the agents spool.
  const peakBefore = agents.map((a) => peakRssMiB(a.child.pid));
  orchestrator.kill('SIGSTOP');
  await sleep(BACKLOG_SECONDS * 1000);
  clearInterval(corrupt);
  fds.forEach((fd) => closeSync(fd));
  for (const a of agents) a.child.kill('SIGSTOP');
  const backlog = [];
  for (const a of agents) backlog.push({ rss: peakRssMiB(a.child.pid), now: rssMiB(a.child.pid), unacked: await unackedInJournal(a.journal) });
  for (const child of children) child.kill('SIGCONT');

  console.log(`physwatch storm bench — ${AGENTS} simulated agents, 4 KiB region rewritten every 1 ms per agent`);
  console.log(`REST GET /api/v1/hits (limit 100), idle:                   ${describeLatencies(idle.hits)}`);
  console.log(`REST GET /api/v1/hits (limit 100), during the ingest storm: ${describeLatencies(storm.hits)}`);
  console.log(`  (API pool API_DATABASE_POOL_MAX=5 beside DATABASE_POOL_MAX=10 for ingest: the defaults)`);
  console.log(`GET /healthz (no database) alongside, idle: ${describeLatencies(idle.healthz)}; during the storm: ${describeLatencies(storm.healthz)}`);
  for (const [i, b] of backlog.entries()) {
    console.log(
      `agent ${i} peak RSS under a backlog of ${b.unacked.toLocaleString('en')} hits: ${b.rss.toFixed(0)} MiB (VmHWM; ${peakBefore[i].toFixed(0)} MiB before the orchestrator stopped, ` +
        `${b.now.toFixed(0)} MiB at the end of ${BACKLOG_SECONDS} s without it; spool memory cap 20,000 hits)`,
    );
  }
}

async function cleanup() {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await sleep(500);
  try {
    execFileSync('psql', [DATABASE_URL, '-qAt', '-c', 'set client_min_messages = warning', '-c', `drop schema if exists ${SCHEMA} cascade`]);
  } catch {
    // the schema may never have been created
  }
  rmSync(work, { recursive: true, force: true });
}

main()
  .then(cleanup)
  .catch(async (err) => {
    console.error(`bench-storm failed: ${err.stack ?? err}`);
    await cleanup();
    process.exit(1);
  });
