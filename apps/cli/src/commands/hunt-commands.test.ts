import { describe, expect, it } from 'vitest';
import { run } from '../program';
import { recordingIo, Reply, scriptedServers, SeenRequest } from '../test-support';

// The REST server is scripted (the CLI's boundary); the real server is in tests/e2e/hunt.test.ts.
const server = scriptedServers();

const DETAIL = {
  id: '4', state: 'active', held_stage: null, created_by: 'admin', created_at: '2026-12-01T12:00:00.000Z', ended_at: null,
  spec: { name: 'zero page', budget_ppm: 10000 }, stage_counts: [1, 1], cohort: ['dmi.bios.version'],
  stages: [
    { index: 0, spec: { interval: '30ms', action: 'report', advance: { after_hits: 1 } }, watch_id: '9', hosts: ['h2'] },
    { index: 1, spec: { interval: '1ms', mode: 'both', funcs: ['f'], action: 'stack', advance: null }, watch_id: '10', hosts: ['h1'] },
  ],
  hosts: [
    { host_id: 'h1', stage: 1, held: true, entered_at: 't', hits_at_stage: 2, bracket_median_ns: 450_000, poll_ns_avg: 800, cohort: 'dmi.bios.version=2' },
    { host_id: 'h2', stage: 0, held: false, entered_at: 't', hits_at_stage: 0, bracket_median_ns: null, poll_ns_avg: null, cohort: null },
  ],
  timeline: [{ at: '2026-12-01T12:00:01.000Z', kind: 'transition', host_id: 'h1', from_stage: 0, to_stage: 1, reason: '1 hits at stage 0 (after_hits 1)', actor: 'engine' }],
};

describe('physwatch hunt', () => {
  it('starts the zero-page template on a selector: destructive, so only with --yes', async () => {
    const s = await server(() => ({ status: 201, body: DETAIL }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 't' });
    const args = ['hunt', 'start', '--template', 'zero-page', '--selector', 'physwatch.hang=allowed', '--cohort', 'dmi.bios.version'];
    expect(await run(args, io)).toBe(2);
    expect(io.stderr).toMatch(/stage 4 freezes a host on a hit .*add --yes/);
    expect(s.seen).toHaveLength(0);
    expect(await run([...args, '--yes'], io)).toBe(0);
    expect(s.seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/hunts', body: { target: { symbol: 'empty_zero_page' }, hosts: { selector: 'physwatch.hang=allowed' }, cohort: ['dmi.bios.version'] } });
    expect(io.stdout).toContain('Hunt 4 (zero page): active');
    expect(io.stdout).toMatch(/h1 \(held\)\s+1\s+2\s+450 us\s+800 ns\s+dmi.bios.version=2/);
    expect(io.stdout).toContain('transition h1: 0 -> 1  1 hits at stage 0 (after_hits 1)');
  });

  it('is 2 naming the field for a bad hunt, before sending anything', async () => {
    const s = await server(() => ({ status: 500, body: {} }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hunt', 'start', '--template', 'zero-page', '--selector', 'a=b', '--budget-ppm', '5', '--cohort', 'bad key', '--yes'], io)).toBe(2);
    expect(io.stderr).toContain('--cohort (cohort[0]): "bad key" is not a host label key');
    expect(await run(['hunt', 'start', '--template', 'zero-page'], io)).toBe(2);
    expect(io.stderr).toContain('--selector or --hosts: required with --template');
    expect(await run(['hunt', 'start'], io)).toBe(2);
    expect(await run(['hunt', 'describe', 'x1'], io)).toBe(2);
    expect(await run(['hunt', 'advance', '4'], io)).toBe(2);
    expect(await run(['hunt', 'advance', '4', '--cohort', 'novalue'], io)).toBe(2);
    expect(io.stderr).toContain('--cohort: "novalue" is not key=value');
    expect(s.seen).toHaveLength(0);
  });

  it('is 2 for a server 400 on advance, naming the flag', async () => {
    const s = await server(() => ({ status: 400, body: { error: 'invalid_request', message: 'x', errors: [{ field: 'host_ids[0]', reason: 'zz is not a host of this hunt' }] } }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hunt', 'advance', '4', '--hosts', 'zz'], io)).toBe(2);
    expect(io.stderr).toContain('--hosts (host_ids[0]): zz is not a host of this hunt');
    expect(s.seen[0]).toMatchObject({ url: '/api/v1/hunts/4/advance', body: { host_ids: ['zz'] } });
  });

  it('lists, describes, holds, releases, advances a cohort and stops through the API', async () => {
    const s = await server((req) => ({ status: 200, body: req.url.startsWith('/api/v1/hunts?') || req.url === '/api/v1/hunts' ? { items: [DETAIL] } : DETAIL }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hunt', 'list'], io)).toBe(0);
    expect(io.stdout).toMatch(/4\s+zero page\s+active\s+1 \/ 1/);
    expect(await run(['hunt', 'describe', '4', '-o', 'json'], io)).toBe(0);
    expect(await run(['hunt', 'hold', '4', '--hosts', 'h1,h2'], io)).toBe(0);
    expect(await run(['hunt', 'hold', '4', '--stage', '1'], io)).toBe(0);
    expect(await run(['hunt', 'hold', '4', '--release'], io)).toBe(0);
    expect(await run(['hunt', 'advance', '4', '--cohort', 'dmi.bios.version=2'], io)).toBe(0);
    expect(await run(['hunt', 'stop', '4'], io)).toBe(0);
    expect(s.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['GET', '/api/v1/hunts', undefined],
      ['GET', '/api/v1/hunts/4', undefined],
      ['POST', '/api/v1/hunts/4/hold', { host_ids: ['h1', 'h2'] }],
      ['POST', '/api/v1/hunts/4/hold', { stage: 1 }],
      ['POST', '/api/v1/hunts/4/hold', { stage: null, release: true }],
      ['POST', '/api/v1/hunts/4/advance', { cohort: { 'dmi.bios.version': '2' } }],
      ['POST', '/api/v1/hunts/4/stop', undefined],
    ]);
  });
});
