/**
 * The culprit finder end to end (docs/contracts.md "Culprits"): 24 simulated hosts with two
 * overlapping facts, one causal. The bad BIOS 2.1.3 is on hosts 0..7; the platform X-1000 is on
 * hosts 0..6 and 8..10, so 7 of its 10 hosts carry the bad BIOS and one bad-BIOS host (7) is an
 * X-2000. The watched word is corrupted exactly on the bad-BIOS hosts. REST, the built CLI and
 * the dashboard (Debian's chromium) must put dmi.bios.version=2.1.3 first with its counts, and
 * X-1000 below it, explained by it.
 */
import { corruptMemoryFile } from '@physwatch/agent';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, tableRows, textWhen } from '../dashboard/browser';
import { Api } from '../support/api';
import { runCli } from '../support/cli-process';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

const HOSTS = 24;
const PADDR = 0x4000n;
const bad = (i: number) => i < 8;
const product = (i: number) => (i < 7 || (i >= 8 && i < 11) ? 'X-1000' : 'X-2000');
const hostId = (i: number) => `culprit-${String(i).padStart(2, '0')}`;

// scipy.stats.fisher_exact([[8, 0], [0, 16]], 'greater') and ([[7, 3], [1, 13]], 'greater').
const P_BIOS = 1.3596729170830668e-6;
const P_X1000 = 0.00234543578196829;

let orch: Orchestrator;
let api: Api;
const agents: Agent[] = [];
let watchId: string;
let huntId: string;

beforeAll(async () => {
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  for (let i = 0; i < HOSTS; i++) {
    const labels = { suite: 'culprits', 'dmi.bios.version': bad(i) ? '2.1.3' : '2.0.9', 'dmi.system.product': product(i) };
    agents.push(await Agent.start({ server: orch.grpcAddress, hostId: hostId(i), labels, memorySize: 1 << 20, extra: { facts: { enabled: false } } }));
  }
  await eventually(`${HOSTS} hosts online`, async () => (await api.request('GET', '/api/v1/hosts')).body.items.filter((h: any) => h.online).length === HOSTS, 60_000);
  watchId = (await api.createWatch({ target: { paddr: '0x4000' }, width: 8, condition: 'any_change', interval: '20ms', hosts: { selector: 'suite=culprits' } })).id;
  await eventually(`armed on ${HOSTS}`, async () => (await api.watch(watchId)).counts.armed === HOSTS, 60_000);
  for (let i = 0; i < HOSTS; i++) if (bad(i)) await corruptMemoryFile(agents[i].memoryFile, PADDR, 8, BigInt(0x3300 + i));
  await eventually('a hit stored from each bad-BIOS host', async () => {
    const hit = new Set((await api.allHits({ watch_id: watchId })).map((h: any) => h.host_id));
    return hit.size === 8;
  });
}, 240_000);

afterAll(async () => {
  for (const agent of agents) {
    await agent.stop('SIGKILL').catch(() => undefined);
    agent.removeState();
  }
  await orch?.stop();
});

describe('culprits', () => {
  it('REST ranks the causal BIOS first with its exact counts, the overlapping platform below, explained by it', async () => {
    const res = await api.request('GET', `/api/v1/watches/${watchId}/culprits`);
    expect(res.status).toBe(200);
    const view = res.body;
    expect(view).toMatchObject({ scope: 'watch', id: watchId, hosts: 24, hit_hosts: 8, values_tested: 5, alpha: 0.05 });
    const [top, second] = view.culprits;
    expect(top).toMatchObject({ key: 'dmi.bios.version', value: '2.1.3', hit_with: 8, clean_with: 0, hit_without: 0, clean_without: 16, rate_ratio: null, explained_by: null });
    expect(top.p / P_BIOS).toBeCloseTo(1, 8);
    expect(top.hits).toBeGreaterThanOrEqual(8);
    expect(second).toMatchObject({ key: 'dmi.system.product', value: 'X-1000', hit_with: 7, clean_with: 3, hit_without: 1, clean_without: 13 });
    expect(second.p / P_X1000).toBeCloseTo(1, 8);
    expect(second.rate_ratio).toBeCloseTo(0.7 / (1 / 14), 9);
    expect(second.explained_by).toEqual({ key: 'dmi.bios.version', value: '2.1.3' });
    expect(second.p_without_leaders).toBe(1);
    // The rest are not over-represented at all: the host-wide suite label, the good BIOS, X-2000.
    expect(view.culprits.slice(2).map((c: any) => `${c.key}=${c.value}`).sort()).toEqual(['dmi.bios.version=2.0.9', 'dmi.system.product=X-2000', 'suite=culprits']);
    for (const c of view.culprits.slice(2)) expect(c.p).toBeGreaterThan(0.5);

    const only = await api.request('GET', `/api/v1/watches/${watchId}/culprits?keys=dmi.system.product&limit=1`);
    expect(only.body.culprits.map((c: any) => c.value)).toEqual(['X-1000']);
    expect(only.body.values_tested).toBe(2);
  });

  it('REST names every bad parameter with a 400, an unknown watch or hunt with a 404', async () => {
    const bad = await api.request('GET', `/api/v1/watches/${watchId}/culprits?limit=0&keys=a,,b&alpha=2&by=x`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_query');
    expect(bad.body.errors.map((d: any) => d.field).sort()).toEqual(['alpha', 'by', 'keys', 'limit']);
    expect((await api.request('GET', '/api/v1/watches/999999/culprits')).status).toBe(404);
    expect((await api.request('GET', '/api/v1/watches/abc/culprits')).status).toBe(404);
    expect((await api.request('GET', '/api/v1/hunts/999999/culprits')).status).toBe(404);
    const openapi = (await api.request('GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/watches/{id}/culprits', '/api/v1/hunts/{id}/culprits']));
  });

  it('the CLI prints the ranking with counts and p, as JSON too, and refuses bad flags with exit 2', async () => {
    const table = await runCli(orch, ['hits', 'culprits', '--watch', watchId]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toBe(`watch ${watchId}: 8 of 24 hosts hit; 5 values tested (one-sided Fisher exact test)`);
    expect(lines[1].split(/\s{3,}/)).toEqual(['KEY', 'VALUE', 'HIT/WITH', 'HIT/WITHOUT', 'P', 'RATE-RATIO', 'EXPLAINED-BY']);
    expect(lines[2].split(/\s{3,}/)).toEqual(['dmi.bios.version', '2.1.3', '8/8', '0/16', '1.36e-6', '∞', '-']);
    expect(lines[3].split(/\s{3,}/)).toEqual(['dmi.system.product', 'X-1000', '7/10', '1/14', '0.00235', '9.80', 'dmi.bios.version=2.1.3']);

    const json = await runCli(orch, ['hits', 'culprits', '--watch', watchId, '--limit', '2', '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).culprits.map((c: any) => c.value)).toEqual(['2.1.3', 'X-1000']);

    const neither = await runCli(orch, ['hits', 'culprits']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give exactly one of --watch <id> or --hunt <id>');
    const badId = await runCli(orch, ['hits', 'culprits', '--hunt', 'x1']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--hunt: "x1" is not an id');
    const badLimit = await runCli(orch, ['hits', 'culprits', '--watch', watchId, '--limit', '0']);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit');
  });

  it("a hunt's culprits count the hits of its stage watches: the same ranking over REST and the CLI", async () => {
    const created = await api.request('POST', '/api/v1/hunts', {
      name: 'culprits',
      target: { paddr: '0x6000' },
      width: 8,
      condition: 'any_change',
      hosts: { selector: 'suite=culprits' },
      cohort: ['dmi.bios.version'],
      // Hosts stay at stage 0: the test is about whose hits, not the ladder.
      stages: [{ interval: '20ms', advance: { after_hits: 1000 } }, { interval: '5ms' }],
    });
    expect(created.status).toBe(201);
    huntId = created.body.id as string;
    const stage0 = async () => (await api.request('GET', `/api/v1/hunts/${huntId}`)).body.stages[0].watch_id as string | null;
    await eventually('the stage watch armed on every host', async () => {
      const id = await stage0();
      return id ? (await api.watch(id)).counts.armed === HOSTS : false;
    }, 60_000);
    for (let i = 0; i < HOSTS; i++) if (bad(i)) await corruptMemoryFile(agents[i].memoryFile, 0x6000n, 8, BigInt(0x4400 + i));
    const view = await eventually('8 hit hosts in the hunt', async () => {
      const res = await api.request('GET', `/api/v1/hunts/${huntId}/culprits?keys=dmi.bios.version,dmi.system.product`);
      return res.body.hit_hosts === 8 ? res.body : undefined;
    });
    expect(view).toMatchObject({ scope: 'hunt', id: huntId, hosts: 24, values_tested: 4 });
    expect(view.culprits[0]).toMatchObject({ key: 'dmi.bios.version', value: '2.1.3', hit_with: 8, clean_with: 0, hit_without: 0, clean_without: 16 });
    expect(view.culprits[1]).toMatchObject({ value: 'X-1000', hit_with: 7, clean_with: 3, explained_by: { key: 'dmi.bios.version', value: '2.1.3' } });
    const cli = await runCli(orch, ['hits', 'culprits', '--hunt', huntId, '--limit', '1']);
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim().split('\n')[2].split(/\s{3,}/)).toEqual(['dmi.bios.version', '2.1.3', '8/8', '0/16', '1.36e-6', '∞', '-']);
  });

  it('the dashboard watch and hunt pages show the likely culprits, the causal BIOS first (chromium)', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${orch.url}/`);
      await page.getByLabel('Token').fill(orch.adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await textWhen(page.getByTestId('live-status'), 'signed in', (t) => t.includes('live') && !t.includes('not'));
      await page.goto(`${orch.url}/watches/${watchId}`);
      const table = page.getByTestId('culprits');
      await textWhen(table, 'the culprits table', (t) => t.includes('2.1.3')).catch(async (err) => {
        await screenshot(page, 'watch-culprits-failed');
        throw err;
      });
      const rows = await tableRows(table);
      expect(rows[0]).toEqual(['1', 'dmi.bios.version', '2.1.3', '8 / 8', '0 / 16', '1.36e-6', '∞', '']);
      expect(rows[1]).toEqual(['2', 'dmi.system.product', 'X-1000', '7 / 10', '1 / 14', '0.00235', '9.80×', 'dmi.bios.version=2.1.3']);
      expect(await page.getByTestId('culprit-row').first().getAttribute('class')).toBe('suspect');
      expect(await page.getByTestId('culprits-summary').innerText()).toContain('8 of 24 hosts hit');
      await page.getByTestId('culprits').scrollIntoViewIfNeeded();
      await screenshot(page, 'watch-culprits');

      await page.goto(`${orch.url}/hunts/${huntId}`);
      const huntTable = page.getByTestId('culprits');
      await textWhen(huntTable, "the hunt's culprits table", (t) => t.includes('2.1.3'));
      const huntRows = await tableRows(huntTable);
      expect(huntRows[0]).toEqual(['1', 'dmi.bios.version', '2.1.3', '8 / 8', '0 / 16', '1.36e-6', '∞', '']);
      expect(huntRows[1].slice(1, 5)).toEqual(['dmi.system.product', 'X-1000', '7 / 10', '1 / 14']);
      await huntTable.scrollIntoViewIfNeeded();
      await screenshot(page, 'hunt-culprits');
    } finally {
      await browser?.close();
    }
  });
});
