#!/usr/bin/env node
// Dashboard query latency over a large hit history (issue 7: overview and watch detail
// < 200 ms p95 over 10 million hits). Seeds a fresh schema through the orchestrator's own
// migrations: ~200 hosts with fact labels, ~20 watches placed on them, and BENCH_QUERY_HITS
// hits (default 10,000,000) COPYed in chunks, spread over 30 days with each watch's hits
// concentrated on one "culprit" group of hosts, as a real hunt looks. Then it times the
// REST answers the dashboard pages ask for (HTTP included) and prints p50/p95/max.
// Prints numbers; asserts nothing.
//
//   node scripts/bench-queries.mjs   (after `npm run build`; part of `npm run bench`)
//   BENCH_QUERY_HITS, BENCH_QUERY_RUNS (default 50 per query), DATABASE_URL, REDIS_URL
//   BENCH_QUERY_KEEP=1 keeps the schema (its name is printed) to explain queries by hand.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { migrate } = createRequire(import.meta.url)(path.join(ROOT, 'packages/db'));
const HITS = Number(process.env.BENCH_QUERY_HITS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 50);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCHEMA = `bench_q_${Date.now().toString(36)}`;
const TOKEN = randomBytes(24).toString('hex');
const HOSTS = 200;
const WATCHES = 20;
const DAYS = 30;
const CHUNK = 1_000_000;

// Deterministic, so two runs seed the same history.
let seed = 0x9e3779b9;
function random() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const pick = (values, weights) => {
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < values.length; i++) if ((r -= weights[i]) < 0) return values[i];
  return values[values.length - 1];
};

const FACTS = {
  'dmi.bios.version': [['1.4.2', '1.5.0', '2.0.1', '2.1.0'], [3, 4, 2, 1]],
  'dmi.system.product': [['PowerEdge_R750', 'ThinkSystem_SR650', 'Mt.Jade_Altra'], [5, 3, 2]],
  'cpu.microcode': [['0xd0003a5', '0xd000390', '0x2b000590'], [5, 3, 2]],
  'nic.eth0.firmware': [['22.31.6', '22.36.1', '14.32.1012'], [4, 4, 2]],
};

function psql(args, input) {
  const child = spawn('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `set search_path=${SCHEMA}`, ...args], {
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`psql exited with ${code}`)))),
  );
  return { child, done };
}
const sql = (query) => psql(['-c', query]).done;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let orchestrator = null;
async function startOrchestrator() {
  const port = await freePort();
  orchestrator = spawn(process.execPath, ['apps/orchestrator/dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL,
      DATABASE_SCHEMA: SCHEMA,
      REDIS_URL,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(await freePort()),
      PHYSWATCH_ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      // The seeded hosts send no heartbeats; keep the ones marked online online.
      HOST_OFFLINE_AFTER_MS: String(24 * 3600_000),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (orchestrator.exitCode !== null) throw new Error(`orchestrator exited with ${orchestrator.exitCode}`);
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) return base;
    if (i > 300) throw new Error('orchestrator did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function seedFleet() {
  const hosts = [];
  for (let i = 0; i < HOSTS; i++) {
    const labels = { rack: `r${i % 10}` };
    for (const [key, [values, weights]] of Object.entries(FACTS)) labels[key] = pick(values, weights);
    hosts.push({ id: `node-${String(i).padStart(3, '0')}`, labels, online: i % 10 !== 9 });
  }
  const hostRows = hosts.map(
    (h) => `('${h.id}', '${h.id}.lab', 'boot-${h.id}', '6.1.0-28-arm64', 'aarch64', '0.1.0', '${JSON.stringify(h.labels)}'::jsonb, ${h.online}, now())`,
  );
  await sql(`insert into hosts (id, hostname, boot_id, kernel_release, arch, agent_version, labels, connected, last_seen_at) values ${hostRows.join(',')}`);

  // Each watch has a culprit: one fact value whose hosts take most of its hits.
  const keys = Object.keys(FACTS);
  const watches = [];
  for (let w = 1; w <= WATCHES; w++) {
    const key = keys[w % keys.length];
    const value = FACTS[key][0][w % FACTS[key][0].length];
    const spec = {
      name: `zero-page-${w}`, target: { paddr: `0x${(0x2a0e000 + w * 8).toString(16)}` }, width: 1, len: 1, condition: 'equals', value: '0x33',
      interval: '30ms', action: 'report', hosts: { selector: 'rack' }, expires_at: null, max_hits: null, starts_at: null, max_hits_per_host: null,
      kdump_on_hit: false, rollout: { canary: 0, soak: '5m', percent: 100, max_hosts: null, paused: false, allow_wide_destructive: false },
    };
    const state = w <= 15 ? 'active' : 'stopped';
    watches.push({ id: w, culprit: hosts.filter((h) => h.labels[key] === value), weight: 1 / w });
    await sql(`insert into watches (id, name, spec, state, created_at) values (${w}, '${spec.name}', '${JSON.stringify(spec)}'::jsonb, '${state}', now() - interval '${DAYS} days')`);
  }
  await sql(`select setval('watches_id_seq', ${WATCHES})`);
  await sql(
    `insert into assignments (watch_id, host_id, phase, resolved_paddr, memory_kind, reason)
     select w.id, h.id, case when h.id like '%7' then 'failed' else 'armed' end, 44097536, 'ram',
            case when h.id like '%7' then 'symbol not found' else '' end
     from watches w cross join hosts h`,
  );
  return { hosts, watches };
}

/** Hits as COPY text rows, in chunks of one statement each (the rollup trigger runs per statement). */
async function seedHits({ hosts, watches }) {
  const columns = 'host_id, boot_id, seq, watch_id, occurred_at, realtime_ns, boottime_ns, last_old_boottime_ns, cpu, paddr, "offset", width, old_value, new_value, pid, comm, ip, action';
  const seqs = new Map(hosts.map((h) => [h.id, 0]));
  const now = Date.now();
  const spanMs = DAYS * 86_400_000;
  const weights = watches.map((w) => w.weight);
  const comms = ['swapper/0', 'kworker/3:1', 'irq/45-mlx5', 'ksoftirqd/1', 'systemd'];
  const started = performance.now();
  for (let done = 0; done < HITS; done += CHUNK) {
    const n = Math.min(CHUNK, HITS - done);
    const { child, done: finished } = psql(['-c', `\\copy hits (${columns}) from stdin`], true);
    let buffer = '';
    for (let i = 0; i < n; i++) {
      const watch = pick(watches, weights);
      const host = random() < 0.85 && watch.culprit.length > 0 ? watch.culprit[Math.floor(random() * watch.culprit.length)] : hosts[Math.floor(random() * hosts.length)];
      const seq = seqs.get(host.id) + 1;
      seqs.set(host.id, seq);
      // Recent days are busier (a hunt heats up), and there are bursts within them.
      const ageMs = Math.floor(spanMs * random() ** 1.6);
      const at = now - ageMs;
      const ns = `${at}000000`;
      buffer += `${host.id}\tboot-${host.id}\t${seq}\t${watch.id}\t${new Date(at).toISOString()}\t${ns}\t${seq * 1000}\t${seq * 1000 - 1 - (seq % 900)}\t${seq % 8}\t${44097536 + watch.id * 8}\t0\t1\t0\t51\t${seq % 4000}\t${comms[seq % comms.length]}\tdo_idle+0x1c\treport\n`;
      if (buffer.length > 1 << 20) {
        if (!child.stdin.write(buffer)) await once(child.stdin, 'drain');
        buffer = '';
      }
    }
    child.stdin.end(buffer);
    await finished;
    process.stdout.write(`  seeded ${(done + n).toLocaleString('en')} hits (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function time(base, name, paths) {
  const timings = [];
  for (let run = -3; run < RUNS; run++) {
    const urls = paths(run);
    const t0 = performance.now();
    await Promise.all(
      urls.map(async (p) => {
        const res = await fetch(base + p, { headers: { authorization: `Bearer ${TOKEN}` } });
        if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }),
    );
    if (run >= 0) timings.push(performance.now() - t0);
  }
  timings.sort((a, b) => a - b);
  const ms = (v) => `${v.toFixed(1)} ms`.padStart(9);
  console.log(`${name.padEnd(58)} p50 ${ms(percentile(timings, 50))}  p95 ${ms(percentile(timings, 95))}  max ${ms(timings[timings.length - 1])}`);
}

async function main() {
  console.log(`physwatch dashboard queries — ${HITS.toLocaleString('en')} hits, ${HOSTS} hosts, ${WATCHES} watches, ${DAYS} days; schema ${SCHEMA}`);
  // Seeded before the orchestrator starts, so its scheduler finds the placements made.
  await migrate(DATABASE_URL, SCHEMA);
  const fleet = await seedFleet();
  const t0 = performance.now();
  await seedHits(fleet);
  const seedSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await sql('vacuum analyze hits');
  await psql(['hit_counts_minute', 'hit_counts_hour', 'hit_counts_host', 'assignments', 'hosts'].map((t) => ['-c', `vacuum analyze ${t}`]).flat()).done;
  const [rows, minuteRows, hourRows, size] = (
    await sql(`select (select count(*) from hits) || '|' || (select count(*) from hit_counts_minute) || '|' || (select count(*) from hit_counts_hour)
               || '|' || pg_size_pretty(pg_total_relation_size('hits'))`)
  ).split('|');
  console.log(
    `seed: ${Number(rows).toLocaleString('en')} hits COPYed in ${seedSeconds.toFixed(1)} s (${Math.round(Number(rows) / seedSeconds).toLocaleString('en')} rows/s, rollup trigger included); ` +
      `vacuum analyze ${((performance.now() - t1) / 1000).toFixed(1)} s; hits table with indexes ${size}; rollups ${Number(minuteRows).toLocaleString('en')} minute + ${Number(hourRows).toLocaleString('en')} hour rows`,
  );

  const base = await startOrchestrator();
  const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString();
  const watchOf = (run) => String((((run % WATCHES) + WATCHES) % WATCHES) + 1);
  const overview = (range, bucket) => () => [`/api/v1/stats/overview?since=${iso(range)}&until=${iso(0)}&bucket=${bucket}`];
  console.log(`${RUNS} runs each after 3 warm-ups, sequential, over HTTP with the token (watch detail: the page's three calls at once, watches rotating):`);
  await time(base, 'overview, 24 h in 1 h buckets', overview(86_400_000, '1h'));
  await time(base, 'overview, 30 days in 1 d buckets', overview(30 * 86_400_000, '1d'));
  await time(base, 'overview, 1 h in 1 min buckets', overview(3_600_000, '1m'));
  await time(base, 'hit-groups by dmi.bios.version', (run) => [`/api/v1/watches/${watchOf(run)}/hit-groups?by=dmi.bios.version`]);
  await time(base, 'hit timeline of one watch, 7 days in 6 h buckets', (run) => [`/api/v1/stats/overview?since=${iso(7 * 86_400_000)}&bucket=6h&watch_id=${watchOf(run)}`]);
  await time(base, 'per-host states (GET /watches/:id/hosts)', (run) => [`/api/v1/watches/${watchOf(run)}/hosts`]);
  await time(base, 'watch detail page (the three above at once)', (run) => [
    `/api/v1/watches/${watchOf(run)}/hit-groups?by=nic.eth0.firmware`,
    `/api/v1/stats/overview?since=${iso(86_400_000)}&bucket=1h&watch_id=${watchOf(run)}`,
    `/api/v1/watches/${watchOf(run)}/hosts`,
  ]);
  await time(base, 'hit explorer, newest 50 of one watch and host', (run) => [`/api/v1/hits?watch_id=${watchOf(run)}&host_id=node-${String((((run * 7) % HOSTS) + HOSTS) % HOSTS).padStart(3, '0')}&limit=50`]);
}

async function cleanup() {
  if (orchestrator && orchestrator.exitCode === null) {
    orchestrator.kill('SIGTERM');
    await Promise.race([once(orchestrator, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    if (orchestrator.exitCode === null) orchestrator.kill('SIGKILL');
  }
  if (process.env.BENCH_QUERY_KEEP === '1') return console.log(`kept schema ${SCHEMA}`);
  await psql(['-c', 'set client_min_messages = warning', '-c', `drop schema if exists ${SCHEMA} cascade`]).done.catch(() => undefined);
}

main()
  .then(cleanup, async (err) => {
    console.error(err);
    await cleanup();
    process.exitCode = 1;
  });
