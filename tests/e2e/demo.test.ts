/**
 * The README's demo command, as a fresh machine runs it: embedded PostgreSQL, a private
 * redis-server, the orchestrator and eight simulated agents of which only the three on BIOS
 * 2.1.3 are corrupted. It must show their hits through the API and group them so that the
 * bad BIOS stands out, in the output and on the dashboard, and stop cleanly on SIGTERM to npm
 * and on SIGINT to the script: every process it started gone, storage stopped last.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, tableRows, textWhen } from '../dashboard/browser';
import { Child, startChild } from '../support/child';

const ROOT = path.resolve(__dirname, '../..');
const workDirs: string[] = [];

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** No DATABASE_URL / REDIS_URL: the demo must start its own, as on a fresh machine. */
function demoEnv(): { dir: string; env: Record<string, string | undefined> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'physwatch-demo-'));
  workDirs.push(dir);
  return { dir, env: { PHYSWATCH_DEMO_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', ENROLL_PORT: '0', DATABASE_URL: undefined, REDIS_URL: undefined, PHYSWATCH_ADMIN_TOKEN: undefined } };
}

/**
 * Processes that still carry the demo's directory in their command line or environment:
 * every child inherits PHYSWATCH_DEMO_DIR, Postgres' workers included.
 */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(dir) || environ.includes(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone between the listing and the read, or not ours to read.
    }
  }
  return found;
}

const output = (demo: Child) => demo.lines.map((l) => l.msg).join('\n');

async function listens(url: string): Promise<boolean> {
  return fetch(url).then(
    () => true,
    () => false,
  );
}

describe('npm run demo', () => {
  it('shows the hits of the 2.1.3 hosts only, grouped so that BIOS 2.1.3 stands out', async () => {
    const { dir, env } = demoEnv();
    const demo = startChild('demo', process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--until-hits'], env);
    const { code } = await demo.exited;
    const text = output(demo);
    expect(code, text + demo.stderr.join('\n')).toBe(0);
    expect(text).toMatch(/hits from all 3 2\.1\.3 hosts visible through the API/);
    // The token it started the orchestrator with, and the line that points the CLI at it.
    const token = /admin token \(PHYSWATCH_ADMIN_TOKEN\): (pw-demo-[0-9a-f]{48})/.exec(text)?.[1];
    expect(token).toBeDefined();
    expect(text).toMatch(new RegExp(`export PHYSWATCH_SERVER=http://127\\.0\\.0\\.1:\\d+ PHYSWATCH_TOKEN=${token}`));
    expect(text).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/watches\/\d+\?by=dmi\.bios\.version \(sign in with the admin token above\)/);
    for (const host of ['demo-host-1', 'demo-host-2', 'demo-host-3']) expect(text).toMatch(new RegExp(`hit ${host} seq=\\d+ 0x2a0e000 0x0 -> 0x33`));
    for (const host of ['demo-host-4', 'demo-host-5', 'demo-host-6', 'demo-host-7', 'demo-host-8']) expect(text).not.toContain(`hit ${host} `);
    const groups = text.slice(text.indexOf('hits grouped by dmi.bios.version')).split('\n').slice(1, 4).map((l) => l.replace('[demo]', '').trim().split(/\s+/).slice(0, 2));
    expect(groups).toEqual([
      ['2.1.3', '3/3'],
      ['2.0.9', '0/3'],
      ['2.2.0', '0/2'],
    ]);
    expect(text).toContain('stopped: every process the demo started has exited');
    expect(leftovers(dir)).toEqual([]);
  }, 180_000);

  it('under npm: the dashboard link names the cohort, and SIGTERM to npm stops every process, storage last', async () => {
    const { dir, env } = demoEnv();
    const demo = startChild('npm run demo', 'npm', ['run', '--silent', 'demo'], { ...env, npm_config_update_notifier: 'false' });
    await demo.waitForLog((l) => String(l.msg).includes('hits grouped by dmi.bios.version'), 150_000);
    const text = output(demo);
    const token = /admin token \(PHYSWATCH_ADMIN_TOKEN\): (\S+)/.exec(text)![1];
    const url = /dashboard: (\S+)/.exec(text)![1];

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(url);
      await page.getByLabel('Token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const groups = page.getByTestId('hit-groups');
      await textWhen(groups, 'the BIOS groups', (t) => t.includes('2.1.3') && t.includes('2.2.0'));
      const rows = await tableRows(groups);
      expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
        ['2.1.3', '3', '3'],
        ['2.0.9', '3', '0'],
        ['2.2.0', '2', '0'],
      ]);
      expect(await groups.locator('tr.suspect').getAttribute('data-value')).toBe('2.1.3');
      await screenshot(page, 'demo-grouped-by-bios');
    } finally {
      await browser.close();
    }

    const base = new URL(url).origin;
    expect(await listens(`${base}/healthz`)).toBe(true);
    await demo.stop('SIGTERM');
    expect(output(demo)).toContain('stopped: every process the demo started has exited');
    expect(leftovers(dir)).toEqual([]);
    expect(await listens(`${base}/healthz`)).toBe(false);
    // Storage stopped last: the orchestrator never saw its database go away under it.
    expect(readFileSync(path.join(dir, 'orchestrator.log'), 'utf8')).not.toMatch(/Connection terminated unexpectedly|uncaught|unhandled/i);
  }, 240_000);

  it('SIGINT to the script while the agents start stops everything in order, and a second run starts clean', async () => {
    const { dir, env } = demoEnv();
    const first = startChild('demo', process.execPath, [path.join(ROOT, 'scripts/demo.mjs')], env);
    await first.waitForLog((l) => String(l.msg).startsWith('[demo] created watch'), 150_000);
    const { code } = await first.stop('SIGINT');
    expect(code).toBe(0);
    expect(output(first)).toContain('stopped: every process the demo started has exited');
    expect(leftovers(dir)).toEqual([]);
    expect(readFileSync(path.join(dir, 'orchestrator.log'), 'utf8')).not.toMatch(/Connection terminated unexpectedly|uncaught|unhandled/i);

    const second = startChild('demo', process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--until-hits'], env);
    expect((await second.exited).code, output(second)).toBe(0);
    expect(output(second)).toMatch(/created watch 1 /);
    expect(leftovers(dir)).toEqual([]);
  }, 240_000);
});
