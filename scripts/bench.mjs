#!/usr/bin/env node
// End-to-end hit throughput: N simulated agents, each watching a 4 KiB region whose every
// word the bench rewrites each millisecond (real condition checks find the changes), so
// agents always have more hits than the pipeline can take. Rows stored per second are
// read from Postgres over a steady window, then the same rows are COPYed raw into the
// same table, in the same run, for the ceiling. Prints numbers; asserts nothing.
//
//   npm run bench                 (BENCH_AGENTS=4 BENCH_SECONDS=20 by default)
//   then the fleet fan-out figure: scripts/bench-fanout.mjs (BENCH_FANOUT_AGENTS)
//   DATABASE_URL / REDIS_URL select the services (default: the local test ones).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AGENTS = Number(process.env.BENCH_AGENTS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// The orchestrator's bootstrap admin token for this run; every /api/v1 call sends it.
const TOKEN = `pw-bench-${randomBytes(24).toString('hex')}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCHEMA = `bench_${Date.now().toString(36)}`;
const REGION = 0x100000;
const REGION_LEN = 4096;
const work = mkdtempSync(path.join(tmpdir(), 'physwatch-bench-'));
const children = [];

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function sql(query) {
  // Separate -c commands share one session; -q keeps "SET" out of the answer; a
  // backslash command (\\copy) must stand alone in its -c.
  return execFileSync('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `set search_path=${SCHEMA}`, '-c', query], {
    encoding: 'utf8',
  }).trim();
}

const storedRows = () => Number(sql('select count(*) from hits'));

function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  children.push(child);
  return child;
}

function ready(child, needle) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', function onData(d) {
      text += d;
      if (text.includes(needle)) {
        child.stdout.off('data', onData);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${needle}"`)));
  });
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
    // Plaintext agents, no enrollment: the bench measures ingest, not TLS setup.
    GRPC_INSECURE: 'true',
    PHYSWATCH_ADMIN_TOKEN: TOKEN,
  });
  await ready(orchestrator, 'orchestrator ready');

  const memoryFiles = [];
  for (let i = 0; i < AGENTS; i++) {
    const dir = path.join(work, `agent-${i}`);
    execFileSync('mkdir', ['-p', dir]);
    const memoryFile = path.join(dir, 'sim-memory');
    memoryFiles.push(memoryFile);
    writeFileSync(
      path.join(dir, 'agent.json'),
      JSON.stringify({
        server: `127.0.0.1:${grpcPort}`,
        hostId: `bench-${i}`,
        insecure: true,
        labels: { bench: 'true' },
        stateDir: dir,
        batch: { maxHits: 1000, maxDelayMs: 20 },
        backend: { kind: 'simulated', memoryFile, memorySize: 4 * 1024 * 1024, symbols: {} },
      }),
    );
    start(`agent-${i}`, ['apps/agent/dist/main.js', '--config', path.join(dir, 'agent.json')], { LOG_LEVEL: 'warn' });
  }

  const base = `http://127.0.0.1:${httpPort}`;
  const res = await fetch(`${base}/api/v1/watches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify({
      name: 'bench: 4 KiB region, any change',
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
    if (w.counts?.armed === AGENTS) break;
    const failed = w.assignments?.find((h) => h.phase === 'failed');
    if (failed) throw new Error(`watch failed on ${failed.host_id}: ${failed.reason}`);
    if (Date.now() > armBy) throw new Error(`only ${w.counts?.armed ?? 0} of ${AGENTS} agents armed the watch within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // The "device": rewrites every word of every agent's region each millisecond.
  const fds = memoryFiles.map((f) => openSync(f, 'r+'));
  const corrupt = setInterval(() => {
    for (const fd of fds) writeSync(fd, randomBytes(REGION_LEN), 0, REGION_LEN, REGION);
  }, 1);

  await new Promise((r) => setTimeout(r, 3000)); // warm-up: spools fill, batches reach full size
  const before = storedRows();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const after = storedRows();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(corrupt);
  fds.forEach((fd) => closeSync(fd));
  const endToEnd = (after - before) / seconds;

  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));

  // Raw COPY of the same rows into the same table (same indexes), as a fresh boot's rows.
  const csv = path.join(work, 'hits.csv');
  const columns = 'host_id, boot_id, seq, watch_id, occurred_at, realtime_ns, boottime_ns, last_old_boottime_ns, cpu, paddr, "offset", width, old_value, new_value, pid, comm, ip, stack, action';
  sql(`\\copy (select host_id, 'copy-' || boot_id, seq, watch_id, occurred_at, realtime_ns, boottime_ns, last_old_boottime_ns, cpu, paddr, "offset", width, old_value, new_value, pid, comm, ip, stack, action from hits) to '${csv}' csv`);
  const copyRows = storedRows();
  const c0 = process.hrtime.bigint();
  sql(`\\copy hits (${columns}) from '${csv}' csv`);
  const copySeconds = Number(process.hrtime.bigint() - c0) / 1e9;

  console.log(`physwatch bench — ${AGENTS} simulated agents, 4 KiB region (512 words of 8 bytes) rewritten every 1 ms per agent`);
  console.log(`end to end (agent poll -> spool -> gRPC -> Postgres, acked): ${Math.round(endToEnd).toLocaleString('en')} hits/s over ${seconds.toFixed(1)} s (${(after - before).toLocaleString('en')} rows)`);
  console.log(`raw COPY of the same ${copyRows.toLocaleString('en')} rows into the same table: ${Math.round(copyRows / copySeconds).toLocaleString('en')} rows/s (${copySeconds.toFixed(2)} s)`);
  console.log(`end to end / raw COPY: ${((endToEnd / (copyRows / copySeconds)) * 100).toFixed(1)} %`);
}

async function cleanup() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  try {
    execFileSync('psql', [DATABASE_URL, '-qAt', '-c', 'set client_min_messages = warning', '-c', `drop schema if exists ${SCHEMA} cascade`]);
  } catch {
    // the schema may never have been created
  }
  rmSync(work, { recursive: true, force: true });
}

/** The fleet fan-out figure (scripts/bench-fanout.mjs), after this bench's processes are gone. */
function fanout() {
  return new Promise((resolve) => {
    console.log('');
    spawn(process.execPath, [path.join(ROOT, 'scripts/bench-fanout.mjs')], { cwd: ROOT, stdio: 'inherit' }).on('exit', (code) => {
      if (code !== 0) process.exitCode = code ?? 1;
      resolve();
    });
  });
}

main()
  .then(cleanup)
  .then(fanout)
  .catch(async (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    await cleanup();
    process.exit(1);
  });
