/**
 * The dashboard end to end: the real orchestrator serving the built dashboard, simulated
 * agents with different host facts, data made through the API and the agents' memory, and
 * Debian's chromium reading each page as a person would. Screenshots of every page are
 * saved under test-results/dashboard/ (CI keeps them as artifacts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { corruptMemoryFile } from '@physwatch/agent';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, wireHit } from '../../apps/orchestrator/src/test-support/agent-client';
import { enroll, keyAndCsr, mtls } from '../support/agent-peer';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';
import { launchChromium, screenshot, tableRows, textWhen } from './browser';

const TOKEN = `dashboard-e2e-${randomBytes(16).toString('hex')}`;
const PADDR = 0x4000n;

// Hosts a and b share the BIOS the hits follow; c and d have the other one. e goes offline.
const FACTS: Record<string, Record<string, string>> = {
  'host-a': { 'dmi.bios.version': '2.1.0', 'nic.eth0.firmware': '22.36.1', 'dmi.system.product': 'R750', 'cpu.microcode': '0xd0003a5' },
  'host-b': { 'dmi.bios.version': '2.1.0', 'nic.eth0.firmware': '22.31.6', 'dmi.system.product': 'R750', 'cpu.microcode': '0xd000390' },
  'host-c': { 'dmi.bios.version': '1.5.0', 'nic.eth0.firmware': '22.36.1', 'dmi.system.product': 'SR650', 'cpu.microcode': '0xd0003a5' },
  'host-d': { 'dmi.bios.version': '1.5.0', 'nic.eth0.firmware': '22.31.6', 'dmi.system.product': 'SR650', 'cpu.microcode': '0xd000390' },
  'host-e': { 'dmi.bios.version': '1.5.0', 'nic.eth0.firmware': '22.31.6', 'dmi.system.product': 'SR650', 'cpu.microcode': '0xd000390' },
};

let orch: Orchestrator;
const agents = new Map<string, Agent>();
let browser: Browser;
let page: Page;
let watchId: string;
let writes = 0n;
const cspViolations: string[] = [];

async function api<T = any>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(orch.url + route, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed as T;
}

async function hitCount(query = ''): Promise<number> {
  return (await api<{ items: unknown[] }>('GET', `/api/v1/hits?limit=1000${query}`)).items.length;
}

/** One more change of the watched word on a host: one more hit. */
async function hit(host: string): Promise<void> {
  const before = await hitCount(`&host_id=${host}`);
  writes += 1n;
  await corruptMemoryFile(agents.get(host)!.memoryFile, PADDR, 8, writes * 0x0101010101n);
  await eventually(`hit stored for ${host}`, async () => (await hitCount(`&host_id=${host}`)) === before + 1);
}

beforeAll(async () => {
  orch = await Orchestrator.start({ adminToken: TOKEN });
  for (const [hostId, facts] of Object.entries(FACTS)) {
    agents.set(
      hostId,
      await Agent.start({ server: orch.grpcAddress, hostId, labels: { rack: 'lab', ...facts }, extra: { facts: { enabled: false } } }),
    );
  }
  await eventually('5 hosts online', async () => (await api('GET', '/api/v1/hosts')).items.filter((h: any) => h.online).length === 5);
  // host-e goes away before the watch exists: selected but never placed, and offline.
  await agents.get('host-e')!.stop();
  await eventually('host-e offline', async () => (await api('GET', '/api/v1/hosts/host-e')).online === false);

  const watch = await api('POST', '/api/v1/watches', {
    name: 'zero-page',
    target: { paddr: '0x4000' },
    width: 8,
    condition: 'any_change',
    interval: '5ms',
    hosts: { selector: 'rack=lab' },
  });
  watchId = watch.id;
  await eventually('armed on 4 hosts', async () => (await api('GET', `/api/v1/watches/${watchId}`)).counts.armed === 4);
  for (const host of ['host-a', 'host-a', 'host-a', 'host-b', 'host-c']) await hit(host);

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Every page runs under the orchestrator's Content-Security-Policy (common/security-headers.ts).
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspViolations.push(msg.text());
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const agent of agents.values()) {
    await agent.stop('SIGKILL').catch(() => undefined);
    agent.removeState();
  }
  await orch?.stop();
});

describe('dashboard', () => {
  it('is served at / with client routes falling back to the app, never over the API', async () => {
    const root = await fetch(`${orch.url}/`);
    expect(root.headers.get('content-type')).toContain('text/html');
    expect(await (await fetch(`${orch.url}/watches/${watchId}`)).text()).toContain('<div id="root">');
    const api404 = await fetch(`${orch.url}/api/v1/no-such-thing`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: 'not_found' });
    expect((await fetch(`${orch.url}/healthz`)).status).toBe(200);
    const openapi = (await (await fetch(`${orch.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/stats/overview', '/api/v1/watches/{id}/hit-groups', '/api/v1/events']));
  });

  it('asks for a token, shows the 401 message for a wrong one, and signs in', async () => {
    await page.goto(`${orch.url}/`);
    await page.getByLabel('Token').fill('not-a-real-token-at-all-000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textWhen(page.getByTestId('sign-in-error'), 'the 401 message', (t) => t === 'unknown or revoked token');
    await screenshot(page, 'sign-in-refused');
    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textWhen(page.getByTestId('live-status'), 'live updates connected', (t) => t.includes('live') && !t.includes('not'));
  });

  it('overview: hits in range, active watches, hosts online and offline, hits per watch', async () => {
    await textWhen(page.getByTestId('stat-hits'), 'hit total', (t) => t.startsWith('5 '));
    expect(await page.getByTestId('stat-watches').innerText()).toMatch(/^1\s/);
    expect(await page.getByTestId('stat-online').innerText()).toMatch(/^4\s/);
    expect(await page.getByTestId('stat-offline').innerText()).toMatch(/^1\s/);
    await page.getByTestId('hit-chart').locator('.recharts-bar-rectangle').first().waitFor();
    const watches = await tableRows(page.getByTestId('active-watches'));
    expect(watches).toEqual([[`zero-page (#${watchId})`, '0x4000', 'any_change', 'report', '4', '0', '0', '5']]);
    await screenshot(page, 'overview');
  });

  it('watch detail: hits grouped by BIOS and NIC firmware with hit rates, per-host states', async () => {
    await page.getByRole('link', { name: `zero-page (#${watchId})` }).click();
    const groups = page.getByTestId('hit-groups');
    await textWhen(groups, 'BIOS groups', (t) => t.includes('2.1.0'));
    expect(await tableRows(groups)).toEqual([
      ['2.1.0', '2', '2', '4', '2.00', '100%'],
      ['1.5.0', '2', '1', '1', '0.50', '50.0%'],
    ]);
    expect(await groups.locator('tr.suspect').getAttribute('data-value')).toBe('2.1.0');
    const states = await tableRows(page.getByTestId('host-states'));
    expect(states.map(([host, state, , hits]) => [host, state, hits]).sort()).toEqual([
      ['host-a', 'armed', '3'],
      ['host-b', 'armed', '1'],
      ['host-c', 'armed', '1'],
      ['host-d', 'armed', '0'],
      ['host-e', 'offline', '0'],
    ]);
    await page.getByTestId('hit-chart').locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(page, 'watch-detail');
    // The README's picture: the first screen of the page that points at the culprit.
    mkdirSync(path.resolve(__dirname, '../../test-results/dashboard'), { recursive: true });
    await page.screenshot({ path: path.resolve(__dirname, '../../test-results/dashboard/readme-watch-detail.png') });

    await page.getByRole('button', { name: 'NIC firmware' }).click();
    await textWhen(groups, 'NIC firmware groups', (t) => t.toLowerCase().includes('nic.eth0.firmware') && t.includes('22.36.1'));
    expect(await tableRows(groups)).toEqual([
      ['22.36.1', '2', '2', '4', '2.00', '100%'],
      ['22.31.6', '2', '1', '1', '0.50', '50.0%'],
    ]);
    await page.getByRole('button', { name: 'Platform' }).click();
    await textWhen(groups, 'platform groups', (t) => t.includes('R750'));
    expect((await tableRows(groups)).map((r) => r.slice(0, 4))).toEqual([
      ['R750', '2', '2', '4'],
      ['SR650', '2', '1', '1'],
    ]);
  });

  it('hosts: facts, module state, last seen; a row opens every label, each with its source', async () => {
    await page.getByRole('link', { name: 'Hosts' }).click();
    const hosts = page.getByTestId('hosts');
    await textWhen(hosts, 'five hosts', (t) => t.includes('host-e'));
    const rows = await tableRows(hosts);
    expect(rows.map(([host, status, , bios, platform, microcode, nic]) => [host, status, bios, platform, microcode, nic])).toEqual([
      ['host-a', 'online', '2.1.0', 'R750', '0xd0003a5', 'eth0 22.36.1'],
      ['host-b', 'online', '2.1.0', 'R750', '0xd000390', 'eth0 22.31.6'],
      ['host-c', 'online', '1.5.0', 'SR650', '0xd0003a5', 'eth0 22.36.1'],
      ['host-d', 'online', '1.5.0', 'SR650', '0xd000390', 'eth0 22.31.6'],
      ['host-e', 'offline', '1.5.0', 'SR650', '0xd000390', 'eth0 22.31.6'],
    ]);
    expect(rows[0][7]).toBe('1 armed');
    expect(rows[0][8]).toMatch(/s ago$/);
    // An operator label on a key the host also reports wins, and both are shown (same value: the watch's rack=lab placement stays).
    await api('PUT', '/api/v1/hosts/host-a/labels', { labels: { env: 'prod', rack: 'lab' } });
    await hosts.locator('tr[data-host="host-a"]').click();
    await textWhen(page.getByTestId('host-detail'), 'host-a labels', (t) => t.includes('dmi.bios.version') && t.includes('env') && t.includes('prod'));
    const labels = page.getByTestId('host-labels');
    expect(await labels.locator('tr[data-label="env"]').innerText()).toMatch(/env\s+prod\s+operator/);
    expect(await labels.locator('tr[data-label="rack"][data-source="operator"]').innerText()).toMatch(/rack\s+lab\s+operator/);
    expect(await labels.locator('tr[data-label="rack"][data-source="host"]').innerText()).toMatch(/host \(overridden\)/);
    expect(await labels.locator('tr[data-label="dmi.bios.version"]').innerText()).toMatch(/2\.1\.0\s+host$/);
    await screenshot(page, 'hosts');
  });

  it('hit explorer: filters, the full record, and a live hit appearing without reload', async () => {
    await page.getByRole('link', { name: 'Hit explorer' }).click();
    const hits = page.getByTestId('hits');
    await eventually('5 hits listed', async () => (await tableRows(hits)).length === 5);
    await page.locator('select[name="host_id"]').selectOption('host-a');
    await eventually('3 hits of host-a', async () => {
      const rows = await tableRows(hits);
      return rows.length === 3 && rows.every((r) => r[2] === 'host-a');
    });
    expect(page.url()).toContain('host_id=host-a');
    await hits.locator('tbody tr').first().click();
    const record = page.getByTestId('hit-record');
    const text = await textWhen(record, 'the hit record', (t) => t.includes('paddr'));
    expect(text).toContain('0x4000');
    expect(text).toContain('host-a');
    expect(text).toContain('realtime_ns');
    // The record's bracket, as the API has it for this hit: its width and the interval.
    const shown = (await page.locator('[data-testid="hit-record"] h2').innerText()).replace('Hit ', '');
    const stored = await api('GET', `/api/v1/hits?host_id=host-a&limit=1000`).then((p: any) => p.items.find((h: any) => h.id === shown));
    expect(BigInt(stored.bracket_ns)).toBeGreaterThan(0n);
    expect(await page.getByTestId('hit-bracket-interval').innerText()).toBe(`(${stored.last_old_boottime_ns}, ${stored.boottime_ns}]`);
    const width = await page.getByTestId('hit-bracket-width').innerText();
    expect(width).toMatch(/^[0-9.]+ (ns|µs|ms|s)$/);
    const scale = { ns: 1, µs: 1e3, ms: 1e6, s: 1e9 }[width.split(' ')[1] as 'ns' | 'µs' | 'ms' | 's'];
    // Three significant digits of the exact ns.
    expect(Number(width.split(' ')[0])).toBe(Number((Number(stored.bracket_ns) / scale).toPrecision(3)));
    expect((await tableRows(hits)).find((r) => r.includes(width))).toBeDefined();
    await screenshot(page, 'hit-explorer');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('button', { name: 'close' }).click();
    await eventually('all 5 hits again', async () => (await tableRows(hits)).length === 5);
    // A marker a reload would wipe: the new row must come from the live stream.
    await page.evaluate('window.__noReload = true');
    await hit('host-d');
    await eventually('the live hit listed', async () => (await tableRows(hits)).length === 6, 10_000);
    expect(await hits.locator('tr.fresh td:nth-child(3)').innerText()).toBe('host-d');
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await screenshot(page, 'hit-explorer-live');

    await page.getByRole('link', { name: 'Overview' }).click();
    await textWhen(page.getByTestId('stat-hits'), 'overview counts the live hit', (t) => t.startsWith('6 '));
    expect(await page.evaluate('window.__noReload')).toBe(true);
  });

  it('hit explorer: who wrote a hit, the SMIs in its bracket and the writer\'s stack', async () => {
    // The simulated backend cannot tell who wrote; an enrolled peer sends what a kernel agent
    // sends for a breakpoint that fired, on a host of its own (the rack=lab counts stay as they are).
    const dir = mkdtempSync(path.join(tmpdir(), 'physwatch-dashboard-writer-'));
    const ca = readFileSync(orch.caCert, 'utf8');
    const { keyPem, csrPem } = keyAndCsr(dir, 'host-w');
    const issued = await enroll(orch.enrollAddress, ca, { token: await orch.enrollmentToken(), host_id: 'host-w', csr_pem: csrPem });
    const peer = new TestAgent(orch.grpcAddress, mtls(ca, keyPem, issued.certificate_pem));
    try {
      peer.hello('host-w', { rack: 'writer' }, { boot_id: 'boot-w' });
      await peer.nextDesired();
      const watch = await api('POST', '/api/v1/watches', { name: 'writer', target: { paddr: '0x5000' }, width: 4, condition: 'any_change', interval: '1ms', hosts: { ids: ['host-w'] } });
      await peer.next((m) => m.desired_state?.watches.some((w) => w.watch_id === watch.id) === true);
      const stack = ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'kernfs_fop_write_iter+0x11d/0x1c0', 'vfs_write+0x2b4/0x3e0', '0xffffffffc0a1b2c3'];
      peer.send({
        hit_batch: {
          boot_id: 'boot-w',
          hits: [
            wireHit(1, watch.id, { writer: 'WRITER_CPU', smi_count: '2', stack: stack.join('\n'), pid: 3225, comm: 'sh', ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]', last_old_boottime_ns: '500' }),
            wireHit(2, watch.id, { writer: 'WRITER_UNKNOWN', writer_reason: 'no_slot', smi_count: '-1', last_old_boottime_ns: '1500' }),
          ],
        },
      });
      expect((await peer.nextAck()).rejected).toEqual([]);
      const stored = (await api('GET', '/api/v1/hits?host_id=host-w')).items;
      const cpu = stored.find((h: any) => h.seq === '1');
      const unknown = stored.find((h: any) => h.seq === '2');
      expect(cpu).toMatchObject({ writer: 'cpu', smi_count: '2', stack });

      await page.goto(`${orch.url}/hits?host_id=host-w&hit=${cpu.id}`);
      const hits = page.getByTestId('hits');
      await eventually('the 2 hits of host-w', async () => (await tableRows(hits)).length === 2);
      const writerColumn = (await tableRows(hits)).map((row) => row[6]);
      expect(writerColumn).toEqual(['unknown (no_slot)', 'cpu']);
      await textWhen(page.getByTestId('hit-record'), 'the record of the writer=cpu hit', (t) => t.includes(`Hit ${cpu.id}`));
      expect(await page.getByTestId('hit-writer-kind').innerText()).toBe('cpu');
      expect(await page.getByTestId('hit-writer').innerText()).toContain("a CPU wrote it through the kernel's direct map");
      expect(await page.getByTestId('hit-smi-count').innerText()).toBe('2');
      expect(await page.locator('[data-testid="hit-stack"] [data-frame]').allInnerTexts()).toEqual(stack);
      await screenshot(page, 'hit-explorer-writer');

      await hits.locator(`tr[data-hit="${unknown.id}"]`).click();
      await textWhen(page.getByTestId('hit-writer-kind'), 'the writer=unknown hit', (t) => t === 'unknown');
      expect(await page.getByTestId('hit-writer-reason').innerText()).toBe('no_slot');
      expect(await page.getByTestId('hit-smi-count').innerText()).toBe('not known');
      expect(await page.getByTestId('hit-stack').innerText()).toContain('No stack captured');

      await page.locator('select[name="writer"]').selectOption('cpu');
      await eventually('only the cpu hit', async () => {
        const rows = await tableRows(hits);
        return rows.length === 1 && rows[0][6] === 'cpu';
      });
      expect(page.url()).toContain('writer=cpu');
      await page.getByRole('button', { name: 'close' }).click();
    } finally {
      peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('vmcores: designed empty states when there is nothing', async () => {
    await page.getByRole('link', { name: 'Vmcores' }).click();
    await textWhen(page.locator('[data-state="empty"]').first(), 'no vmcores', (t) => t.includes('No vmcore stored'));
    await textWhen(page.locator('[data-state="empty"]').nth(1), 'no kdump jobs', (t) => t.includes('No kdump job'));
    await screenshot(page, 'vmcores-empty');
    await page.goto(`${orch.url}/hits?host_id=host-e`);
    await textWhen(page.locator('[data-state="empty"]'), 'no hits for host-e', (t) => t.includes('No hits match'));
  });

  it('error states: a failing API is shown with a retry, a 403 inline', async () => {
    const hostsList = (url: URL) => url.pathname === '/api/v1/hosts';
    await page.route(hostsList, (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal', message: 'internal error; see the orchestrator log' }) }),
    );
    await page.goto(`${orch.url}/hosts`);
    const error = page.locator('[data-state="error"]');
    const text = await textWhen(error, 'the error state', (t) => t.includes('500'));
    expect(text).toContain('internal error; see the orchestrator log');
    await screenshot(page, 'hosts-error');
    await page.unroute(hostsList);
    await page.getByRole('button', { name: 'Try again' }).click();
    await textWhen(page.getByTestId('hosts'), 'hosts after retry', (t) => t.includes('host-a'));

    const vmcoreList = (url: URL) => url.pathname === '/api/v1/vmcores';
    await page.route(vmcoreList, (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'forbidden', message: 'GET /api/v1/vmcores needs role viewer; this token (ci) has role none' }),
      }),
    );
    await page.getByRole('link', { name: 'Vmcores' }).click();
    const denied = await textWhen(page.locator('[data-state="error"]'), 'the 403 inline', (t) => t.includes('Not allowed'));
    expect(denied).toContain('needs role viewer');
    // Only that part of the page is refused; the rest still shows, and the session stays.
    await textWhen(page.locator('[data-state="empty"]'), 'kdump jobs beside it', (t) => t.includes('No kdump job'));
    await page.unroute(vmcoreList);
  });

  it('a revoked token returns to sign-in with the 401 message; sign out forgets the token', async () => {
    await page.evaluate(`localStorage.setItem('physwatch.token', 'revoked-token-000000000000000000')`);
    await page.goto(`${orch.url}/hosts`);
    await textWhen(page.getByTestId('signed-out-notice'), 'the 401 notice', (t) => t === 'Signed out: unknown or revoked token');
    expect(await page.evaluate(`localStorage.getItem('physwatch.token')`)).toBeNull();

    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textWhen(page.getByTestId('hosts'), 'hosts again', (t) => t.includes('host-a'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(`localStorage.getItem('physwatch.token')`)).toBeNull();
  });

  it('showed every page under the Content-Security-Policy without a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
