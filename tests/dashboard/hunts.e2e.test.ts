/**
 * The dashboard's hunt pages end to end: the real orchestrator serving the built dashboard,
 * simulated agents (two sharing a BIOS cohort, two on another BIOS, one without the label),
 * a hunt started over REST, its hosts moved by hits written into the agents' memory, and
 * Debian's chromium reading the hunts list and the hunt page as a person would. Every figure
 * the browser shows is compared with what the REST API says. Screenshots go to
 * test-results/dashboard/hunt-*.png.
 */
import { randomBytes } from 'node:crypto';
import { corruptMemoryFile } from '@physwatch/agent';
import type { HitView, HuntDetailView } from '@physwatch/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';
import { launchChromium, screenshot, tableRows, textWhen } from './browser';

const TOKEN = `hunts-e2e-${randomBytes(16).toString('hex')}`;
const PADDR = 0x4000n;
const BAD = '2.1.0-bad';
const LABELS: Record<string, Record<string, string>> = {
  'h-a': { 'dmi.bios.version': BAD },
  'h-b': { 'dmi.bios.version': BAD },
  'h-c': { 'dmi.bios.version': '1.5.0' },
  'h-d': { 'dmi.bios.version': '1.5.0' },
  'h-e': {},
};
const STAGES = [
  { interval: '30ms', advance: { after_hits: 2 } },
  { interval: '1ms', advance: { after_hits: 2 } },
  { interval: '1ms', advance: { after_hits: 2 } },
  { interval: '1ms', action: 'stack' },
];

let orch: Orchestrator;
const agents = new Map<string, Agent>();
let browser: Browser;
let page: Page;
let huntId: string;
let writes = 0n;
let rest: Api;

/** The REST answer's body; anything but 2xx fails the test with the server's words. */
async function api<T = any>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await rest.request<T>(method, route, body);
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const hunt = () => api<HuntDetailView>('GET', `/api/v1/hunts/${huntId}`);

/** The hunt's hits with a bracket, from every watch its stages have had, as the chart should draw them. */
async function bracketedHits(): Promise<HitView[]> {
  const h = await hunt();
  const out: HitView[] = [];
  for (const watchId of h.stages.flatMap((s) => s.watch_ids)) {
    out.push(...(await api<{ items: HitView[] }>('GET', `/api/v1/hits?limit=1000&watch_id=${watchId}`)).items.filter((x) => x.bracket_ns !== null));
  }
  return out;
}

/** Waits until the host stands at `stage` and that stage's watch is armed on it (a write before would be missed). */
async function armedAt(host: string, stage: number): Promise<void> {
  await eventually(`${host} armed at stage ${stage}`, async () => {
    const s = (await hunt()).stages[stage];
    if (!s.hosts.includes(host) || !s.watch_id) return false;
    const hosts = await api('GET', `/api/v1/watches/${s.watch_id}/hosts`);
    return hosts.armed.some((a: any) => a.host_id === host);
  }, 30_000);
}

async function hitCount(host: string): Promise<number> {
  return (await api<{ items: unknown[] }>('GET', `/api/v1/hits?limit=1000&host_id=${host}`)).items.length;
}

/** One more change of the watched word on a host: one more hit. */
async function hit(host: string): Promise<void> {
  const before = await hitCount(host);
  writes += 1n;
  await corruptMemoryFile(agents.get(host)!.memoryFile, PADDR, 8, writes * 0x0101010101n);
  await eventually(`hit stored for ${host}`, async () => (await hitCount(host)) > before);
}

beforeAll(async () => {
  orch = await Orchestrator.start({ adminToken: TOKEN, env: { SCHEDULER_TICK_MS: '200' } });
  rest = new Api(orch.url, TOKEN);
  for (const [hostId, labels] of Object.entries(LABELS)) {
    agents.set(hostId, await Agent.start({ server: orch.grpcAddress, hostId, labels: { pool: 'hunt', ...labels }, extra: { facts: { enabled: false } } }));
  }
  await eventually('5 hosts online', async () => (await api('GET', '/api/v1/hosts')).items.filter((h: any) => h.online).length === 5);

  const created = await api<HuntDetailView>('POST', '/api/v1/hunts', {
    name: 'dash hunt',
    target: { paddr: '0x4000' },
    width: 8,
    condition: 'any_change',
    hosts: { selector: 'pool=hunt' },
    cohort: ['dmi.bios.version'],
    stages: STAGES,
  });
  huntId = created.id;
  for (const host of Object.keys(LABELS)) await armedAt(host, 0);
  // h-a hits twice at stage 0 and climbs (its own rule); h-b, same BIOS, is pulled along.
  await hit('h-a');
  await hit('h-a');
  await armedAt('h-a', 1);
  await armedAt('h-b', 1);
  // Twice more at stage 1: both reach stage 2, stage 1 empties and its watch ends.
  await hit('h-a');
  await hit('h-a');
  await armedAt('h-a', 2);
  await armedAt('h-b', 2);
  await eventually('stage 1 empty, its watch ended', async () => {
    const s = (await hunt()).stages[1];
    return s.hosts.length === 0 && s.watch_id === null && s.watch_ids.length === 1;
  });
  // One hit of h-b at stage 2: below its after_hits, it stays.
  await hit('h-b');

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${orch.url}/`);
  await page.getByLabel('Token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await textWhen(page.getByTestId('live-status'), 'live updates connected', (t) => t.includes('live') && !t.includes('not'));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const agent of agents.values()) {
    await agent.stop('SIGKILL').catch(() => undefined);
    agent.removeState();
  }
  await orch?.stop();
});

describe('dashboard hunts', () => {
  it('lists the hunt with its state, stages and hosts per stage', async () => {
    await page.getByRole('link', { name: 'Hunts' }).click();
    const table = page.getByTestId('hunts');
    await textWhen(table, 'the hunt listed', (t) => t.includes('dash hunt'));
    const rows = await tableRows(table);
    expect(rows).toHaveLength(1);
    const [title, target, hosts, state, stages, perStage] = rows[0];
    expect([title, target, hosts, state, stages, perStage]).toEqual([`dash hunt (#${huntId})`, '0x4000 · width 8', 'pool=hunt', 'active', '4', '3 · 0 · 2 · 0']);
    await screenshot(page, 'hunt-list');
  });

  it('the hunt page: each stage with the hosts the API places there, its watch, and links', async () => {
    await page.getByRole('link', { name: `dash hunt (#${huntId})` }).click();
    const stages = page.getByTestId('hunt-stages');
    await textWhen(stages, 'the ladder', (t) => t.includes('30ms'));
    const h = await hunt();
    expect(h.stages.map((s) => [...s.hosts].sort())).toEqual([['h-c', 'h-d', 'h-e'], [], ['h-a', 'h-b'], []]);
    for (const s of h.stages) {
      const row = stages.locator(`tr[data-stage="${s.index}"]`);
      const shown = await row.getByTestId('stage-hosts').locator('a').allInnerTexts();
      expect([...shown].sort()).toEqual([...s.hosts].sort());
      expect(await row.getByTestId('stage-host-count').innerText()).toBe(String(s.hosts.length));
      const watchLink = row.getByTestId('stage-watch').locator('a').first();
      if (s.watch_id) expect(await watchLink.getAttribute('href')).toBe(`/watches/${s.watch_id}`);
      else expect(await row.getByTestId('stage-watch').innerText()).toMatch(s.watch_ids.length ? /^none \(ended: #\d+\)$/ : /^none$/);
    }
    // The emptied stage 1 still names the watch it had.
    expect(await stages.locator('tr[data-stage="1"] [data-testid="stage-watch"] a').getAttribute('href')).toBe(`/watches/${h.stages[1].watch_ids[0]}`);
    const cells = (await tableRows(stages)).map((r) => r.slice(0, 5));
    expect(cells).toEqual([
      ['0', '30ms', 'timer', 'report', 'after 2 hits'],
      ['1', '1ms', 'timer', 'report', 'after 2 hits'],
      ['2', '1ms', 'timer', 'report', 'after 2 hits'],
      ['3', '1ms', 'timer', 'stack', '— (last stage)'],
    ]);
    expect(await page.getByTestId('hunt-spec').innerText()).toMatch(/cohort\s+dmi\.bios\.version/);
    expect(await page.getByTestId('hunt-spec').innerText()).toMatch(/budget\s+1 % of a CPU per host/);

    // Hosts: the stage each stands at, as the API says.
    const hostRows = await tableRows(page.getByTestId('hunt-hosts'));
    expect(hostRows.map(([host, stage]) => [host.replace(/held$/, ''), stage]).sort()).toEqual(h.hosts.map((x) => [x.host_id, String(x.stage)]).sort());

    // Cohort: the bad BIOS pulled h-b; the other BIOS stayed at 0; h-e is in no cohort.
    const cohorts = await tableRows(page.getByTestId('hunt-cohorts'));
    expect(cohorts).toEqual([
      [`dmi.bios.version=${BAD}`, '2', '2', '2', '1'],
      ['dmi.bios.version=1.5.0', '2', '0', '0', '0'],
      ['(a cohort key not set: in no cohort)', '1', '0', '0', '0'],
    ]);

    // The stage 2 watch link opens that watch's page; a host link opens the hosts page on it.
    await stages.locator('tr[data-stage="2"] [data-testid="stage-watch"] a').click();
    await textWhen(page.locator('h1'), 'the stage watch page', (t) => t.includes(`dash hunt · stage 2 (#${h.stages[2].watch_id})`));
    await page.goBack();
    await stages.locator('tr[data-stage="2"] [data-testid="stage-hosts"] a', { hasText: 'h-a' }).click();
    expect(new URL(page.url()).search).toBe('?q=h-a');
    await textWhen(page.getByTestId('hosts'), 'the hosts page on h-a', (t) => t.includes('h-a') && !t.includes('h-b'));
    await page.goBack();
    await textWhen(stages, 'the ladder again', (t) => t.includes('30ms'));
  });

  it('the timeline lists every transition with its reason, newest first', async () => {
    const h = await hunt();
    const expected = [...h.timeline].reverse().map((t) => [t.kind, t.host_id ?? '—', t.kind === 'transition' ? `${t.from_stage} → ${t.to_stage}` : String(t.from_stage ?? '—'), t.reason, t.actor]);
    const rows = (await tableRows(page.getByTestId('hunt-timeline'))).map((r) => r.slice(1));
    expect(rows).toEqual(expected);
    const transitions = rows.filter((r) => r[0] === 'transition');
    expect(transitions.map((r) => [r[1], r[2]])).toEqual(expect.arrayContaining([['h-a', '0 → 1'], ['h-b', '0 → 1'], ['h-a', '1 → 2'], ['h-b', '1 → 2']]));
    expect(transitions).toHaveLength(4);
    // h-a moved by its own hits, h-b by the cohort h-a leads.
    for (const r of transitions.filter((t) => t[1] === 'h-a')) expect(r[3]).toContain('after_hits');
    for (const r of transitions.filter((t) => t[1] === 'h-b')) expect(r[3]).toMatch(new RegExp(`^cohort dmi\\.bios\\.version=${BAD.replace(/\./g, '\\.')}: host h-a is at stage \\d$`));
    expect(rows[rows.length - 1][0]).toBe('created');
  });

  it('the bracket chart: one series per host that hit, the brackets shrinking as h-a climbed, live', async () => {
    const chart = page.getByTestId('bracket-chart');
    await chart.locator('.recharts-legend-item-text').first().waitFor();
    const hits = await bracketedHits();
    const hosts = [...new Set(hits.map((x) => x.host_id))].sort();
    expect(hosts).toEqual(['h-a', 'h-b']);
    expect([...(await chart.locator('.recharts-legend-item-text').allInnerTexts())].sort()).toEqual(hosts);
    // The legend names the series in the order they are drawn (series-<i>). Each draws a symbol
    // per hit (stage 1's watch has ended: its hits are drawn too) and a line through them.
    const legend = await chart.locator('.recharts-legend-item-text').allInnerTexts();
    const series = (host: string) => chart.locator(`g.recharts-scatter.series-${legend.indexOf(host)}`);
    expect(await chart.locator('g.recharts-scatter.bracket-series').count()).toBe(hosts.length);
    for (const host of hosts) {
      expect(await series(host).locator('.recharts-symbols').count()).toBe(hits.filter((x) => x.host_id === host).length);
    }
    expect(await series('h-a').locator('.recharts-scatter-line path').count()).toBe(1);
    // h-a: its 30 ms hits sit higher (wider) than its 1 ms ones on the log axis.
    const aSeries = series('h-a');
    const ys = await aSeries.locator('.recharts-symbols').evaluateAll((els) => els.map((e) => Number((e as unknown as { getAttribute(n: string): string | null }).getAttribute('cy'))));
    expect(ys).toHaveLength(4);
    const aHits = hits.filter((x) => x.host_id === 'h-a').sort((x, y) => x.occurred_at.localeCompare(y.occurred_at));
    expect(Number(aHits[3].bracket_ns)).toBeLessThan(Number(aHits[0].bracket_ns));
    expect(Math.min(ys[0], ys[1])).toBeLessThan(Math.max(ys[2], ys[3]));
    await screenshot(page, 'hunt-detail');

    // A hit of h-c at stage 0 arrives live: a third series, no reload.
    await page.evaluate('window.__noReload = true');
    await hit('h-c');
    await eventually('h-c drawn', async () => (await chart.locator('.recharts-legend-item-text').allInnerTexts()).includes('h-c'), 15_000);
    expect(await page.evaluate('window.__noReload')).toBe(true);
    expect(await page.locator('[data-state="empty"]', { hasText: 'No stage of this hunt dumps' }).count()).toBe(1);
  });

  it('pause and stop through the page, confirmed; a stopped hunt still shows its hits and watches', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Pause' }).click();
    await textWhen(page.locator('h1'), 'paused badge', (t) => t.includes('paused'));
    expect((await hunt()).state).toBe('paused');
    expect((await tableRows(page.getByTestId('hunt-timeline')))[0].slice(1, 5)).toEqual(['paused', '—', '—', `paused by ${(await hunt()).timeline.at(-1)!.actor}`]);

    // Refused confirmation: nothing happens.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Stop' }).click();
    expect((await hunt()).state).toBe('paused');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Stop' }).click();
    await textWhen(page.locator('h1'), 'stopped badge', (t) => t.includes('stopped'));
    const h = await hunt();
    expect(h.state).toBe('stopped');
    expect(h.stages.every((s) => s.watch_id === null)).toBe(true);
    const chart = page.getByTestId('bracket-chart');
    await eventually('the chart after the stop', async () => [...(await chart.locator('.recharts-legend-item-text').allInnerTexts())].sort().join() === 'h-a,h-b,h-c');
    await page.goto(`${orch.url}/hunts`);
    await textWhen(page.getByTestId('hunts'), 'stopped in the list', (t) => t.includes('stopped'));
    await page.goto(`${orch.url}/hunts/${huntId}`);
    await chart.locator('.recharts-legend-item-text').first().waitFor();
    await screenshot(page, 'hunt-detail-stopped');
  });

  it('a hunt that does not exist is the page error state', async () => {
    await page.goto(`${orch.url}/hunts/999999`);
    const text = await textWhen(page.locator('[data-state="error"]'), 'the 404', (t) => t.includes('404'));
    expect(text).toContain('hunt 999999');
  });
});
