import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDashboardPath } from './dashboard-files';

const dist = mkdtempSync(path.join(tmpdir(), 'dashboard-dist-'));
mkdirSync(path.join(dist, 'assets'));
writeFileSync(path.join(dist, 'index.html'), '<html></html>');
writeFileSync(path.join(dist, 'assets', 'index-abc.js'), '');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('resolveDashboardPath', () => {
  it('serves built files, hashed assets cached for good', () => {
    expect(resolveDashboardPath('/assets/index-abc.js', dist)).toMatchObject({ kind: 'file', type: 'text/javascript; charset=utf-8', cache: expect.stringContaining('immutable') });
    expect(resolveDashboardPath('/', dist)).toMatchObject({ kind: 'file', file: path.join(dist, 'index.html'), cache: 'no-cache' });
  });

  it('answers client routes with index.html, a missing asset with 404', () => {
    expect(resolveDashboardPath('/watches/12?by=cpu.microcode', dist)).toMatchObject({ kind: 'file', file: path.join(dist, 'index.html') });
    expect(resolveDashboardPath('/assets/gone.js', dist)).toEqual({ kind: 'missing' });
  });

  it('never shadows the API, probes, metrics or docs, and never leaves dist', () => {
    for (const p of ['/api', '/api/v1/nope', '/healthz', '/readyz', '/metrics', '/docs/x']) expect(resolveDashboardPath(p, dist)).toEqual({ kind: 'reserved' });
    expect(resolveDashboardPath('/../../etc/passwd', dist)).toMatchObject({ file: path.join(dist, 'index.html') });
    expect(resolveDashboardPath('/%2e%2e/%2e%2e/etc/passwd', dist)).toMatchObject({ file: path.join(dist, 'index.html') });
  });

  it('is missing until the dashboard is built', () => {
    expect(resolveDashboardPath('/', path.join(dist, 'nowhere'))).toEqual({ kind: 'missing' });
  });
});
