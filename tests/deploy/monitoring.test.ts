/**
 * deploy/monitoring: the alert rules are valid and fire when they should (promtool, from
 * Debian's prometheus package, which .ci/run installs), and every metric the rules and the
 * Grafana dashboard use is one a real orchestrator or a real agent's textfile exports, with
 * the fleet gauges, the hit store latency and the agent's counts saying what really happened.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { corruptMemoryFile } from '@physwatch/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

const DIR = path.resolve(__dirname, '../../deploy/monitoring');

function promtool(args: string[], input?: string): string {
  try {
    return execFileSync('promtool', args, { cwd: DIR, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('promtool is missing: apt-get install -y --no-install-recommends prometheus');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/** Metric names in PromQL expressions: ours, the Node process', and Prometheus' own `up`. */
function metricNames(exprs: string[]): Set<string> {
  const names = new Set<string>();
  for (const expr of exprs) for (const m of expr.matchAll(/\b(physwatch_\w+|process_\w+|nodejs_\w+|up)\b(?=\s*[{[)\s]|$)/g)) names.add(m[1]);
  return names;
}

/** Names a scrape declares (# TYPE), with the series a histogram adds. */
function exported(scrape: string): Set<string> {
  const names = new Set<string>(['up']);
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const ruleExprs = (): string[] =>
  (parse(readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups.flatMap((g) => g.rules.map((r) => r.expr));
const dashboardExprs = (): string[] =>
  (JSON.parse(readFileSync(path.join(DIR, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> }).panels.flatMap((p) => p.targets.map((t) => t.expr));

describe('alert rules', () => {
  it('are valid, and each fires on the series its test gives and not before', () => {
    expect(promtool(['check', 'rules', 'alerts.yml'])).toMatch(/SUCCESS: 12 rules found/);
    expect(promtool(['test', 'rules', 'alerts.test.yml'])).toMatch(/SUCCESS/);
  });
});

describe('what the orchestrator exports', () => {
  let orch: Orchestrator;
  let agent: Agent;
  let api: Api;
  const textfile = path.join(mkdtempSync(path.join(tmpdir(), 'physwatch-textfile-')), 'physwatch.prom');

  beforeAll(async () => {
    orch = await Orchestrator.start();
    api = new Api(orch.url, orch.adminToken);
    agent = await Agent.start({ server: orch.grpcAddress, hostId: 'metrics-host', extra: { facts: { enabled: false }, metrics: { textfile, intervalMs: 100 } } });
  });
  afterAll(async () => {
    await agent?.stop();
    await orch?.stop();
  });

  it('counts hosts, watches and placements, dates stored hits, and declares every metric the rules and the dashboard use', async () => {
    const { body: watch } = await api.request('POST', '/api/v1/watches', { target: { paddr: '0x3000' }, width: 4, condition: 'any_change', interval: '10ms', hosts: { ids: ['metrics-host'] } });
    await eventually('watch armed', async () => (await api.watch(watch.id)).counts.armed === 1);
    await corruptMemoryFile(agent.memoryFile, 0x3000n, 4, 0xdeadn);
    await eventually('hit stored', async () => (await api.allHits({ watch_id: watch.id })).length === 1);

    const scrape = String((await api.request('GET', '/metrics')).body);
    expect(sample(scrape, 'physwatch_fleet_gauges_up')).toBe(1);
    expect(sample(scrape, 'physwatch_hosts{state="online"}')).toBe(1);
    expect(sample(scrape, 'physwatch_hosts{state="offline"}')).toBe(0);
    expect(sample(scrape, 'physwatch_watches{state="active"}')).toBe(1);
    expect(sample(scrape, 'physwatch_watches{state="stopped"}')).toBe(0);
    expect(sample(scrape, 'physwatch_assignments{phase="armed"}')).toBe(1);
    expect(sample(scrape, 'physwatch_assignments{phase="pending"}')).toBe(0);
    expect(sample(scrape, 'physwatch_hit_store_latency_seconds_count')).toBe(1);
    expect(sample(scrape, 'physwatch_watch_arm_latency_seconds_count')).toBe(1);
    expect(sample(scrape, 'physwatch_hit_store_latency_seconds_bucket{le="+Inf"}')).toBe(1);
    expect(sample(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // The agent's textfile, rewritten every 100 ms: connected, the watch armed, the hit acked.
    const agentMetrics = await eventually('agent textfile up to date', async () => {
      if (!existsSync(textfile)) return undefined;
      const text = readFileSync(textfile, 'utf8');
      return sample(text, 'physwatch_agent_watches{phase="armed"}') === 1 && sample(text, 'physwatch_agent_unacked_hits') === 0 ? text : undefined;
    });
    expect(sample(agentMetrics, 'physwatch_agent_connected')).toBe(1);
    expect(sample(agentMetrics, 'physwatch_agent_spool_on_disk_hits')).toBe(0);
    expect(sample(agentMetrics, 'physwatch_agent_module_lost_events_total')).toBe(0);

    const declared = new Set([...exported(scrape), ...exported(agentMetrics)]);
    const used = metricNames([...ruleExprs(), ...dashboardExprs()]);
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((name) => !declared.has(name))).toEqual([]);
    // Prometheus' own lint of our metrics (names, units, counter suffixes); prom-client's
    // default nodejs_active_*_total gauges are not ours to rename.
    const ours = scrape.split('\n').filter((l) => /^(# (HELP|TYPE) )?physwatch_/.test(l)).join('\n') + '\n';
    expect(promtool(['check', 'metrics'], ours).trim()).toBe('');

    await api.stopWatch(watch.id);
    await eventually('the gauges follow the stop', async () => {
      const after = String((await api.request('GET', '/metrics')).body);
      return sample(after, 'physwatch_watches{state="stopped"}') === 1 && sample(after, 'physwatch_watches{state="active"}') === 0;
    });
  });
});
