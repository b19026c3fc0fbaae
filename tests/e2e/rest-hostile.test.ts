/**
 * The REST side against hostile clients, on the real orchestrator process over real sockets
 * (node:net where fetch would refuse to send the bytes): every byte sequence in a path, query,
 * header or body answers 4xx with a JSON error and a change is still audited; a request that
 * arrives too slowly is cut off (408); failed authentication is logged and rate-limited per
 * source address (429 with Retry-After) so it cannot grow the audit log without bound; and
 * every answer carries the security headers, with a CSP the dashboard and /docs both load under
 * in Debian's chromium.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../dashboard/browser';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { exchange, rawRequest, RawRequest, RawResponse, requestHead } from '../support/raw-http';
import { Orchestrator } from '../support/stack';

const REQUEST_TIMEOUT_MS = 1000;
const FAILURE_LIMIT = 5;
// Long enough for the burst below to fall inside one window on a loaded machine.
const FAILURE_WINDOW_MS = 10_000;
const UNKNOWN = { error: 'unauthenticated', message: 'unknown or revoked token' };
const REPORT = { target: { paddr: '0x2a0e000' }, width: 1, condition: 'equals', value: '0x33', interval: '30ms', hosts: { selector: 'suite=hostile' } };

let orch: Orchestrator;
let admin: Api;
let port: number;
let browser: Browser | undefined;

beforeAll(async () => {
  orch = await Orchestrator.start({
    env: {
      // The failed-authentication tests speak for several sources through X-Forwarded-For.
      TRUST_PROXY: 'true',
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
      AUTH_FAILURE_WINDOW_MS: String(FAILURE_WINDOW_MS),
    },
  });
  admin = new Api(orch.url, orch.adminToken);
  port = orch.options.httpPort;
});

afterAll(async () => {
  await browser?.close();
  await orch?.stop();
});

/** The request with the bootstrap admin token first among its headers. */
function asAdmin(req: RawRequest): RawRequest {
  return { ...req, headers: [['Authorization', `Bearer ${orch.adminToken}`], ...(req.headers ?? [])] };
}

const JSON_TYPE: Array<[string, string]> = [['Content-Type', 'application/json']];

async function newestAudit(): Promise<any> {
  const res = await admin.request('GET', '/api/v1/audit?limit=1');
  expect(res.status).toBe(200);
  return res.body.items[0];
}

async function auditFrom(sourceIp: string): Promise<any[]> {
  const res = await admin.request('GET', '/api/v1/audit?limit=1000');
  expect(res.status).toBe(200);
  return res.body.items.filter((row: any) => row.source_ip === sourceIp);
}

function expectJsonError(res: RawResponse, status: number, error: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json).toMatchObject({ error, message: expect.any(String) });
}

describe('hostile bytes: 4xx with a JSON error, and the change still audited', () => {
  const spec = (extra: string) => `{"target":{"paddr":"0x2a0e000"},"width":1,"condition":"any_change","interval":"30ms","hosts":{"selector":"suite=hostile"}${extra}}`;
  const cases: Array<{ what: string; req: RawRequest; status: number; error: string; field?: string; auditPath?: string }> = [
    { what: 'NUL in the path', req: { method: 'POST', target: '/api/v1/watches/%00/stop' }, status: 400, error: 'invalid_request', field: '(path)' },
    { what: 'a bad percent-escape in the path', req: { method: 'POST', target: '/api/v1/watches/%zz/stop' }, status: 400, error: 'invalid_request', field: '(path)' },
    { what: 'escapes that are not UTF-8 in the path', req: { method: 'POST', target: '/api/v1/watches/%ff%fe/stop' }, status: 400, error: 'invalid_request', field: '(path)' },
    // Reaches the /api/v1 routes once decoded: still authenticated first, still audited.
    { what: 'a disguised path with a broken UTF-8 escape', req: { method: 'POST', target: '/%61pi/v1/watches/%c3%28/stop' }, status: 400, error: 'invalid_request', field: '(path)' },
    { what: 'NUL in a query value', req: { method: 'POST', target: '/api/v1/watches?dry_run=%00' }, status: 400, error: 'invalid_request', field: 'dry_run', auditPath: '/api/v1/watches' },
    { what: 'a bad escape in a query value', req: { method: 'GET', target: '/api/v1/hits?host_id=%zz' }, status: 400, error: 'invalid_request', field: 'host_id' },
    { what: 'escapes that are not UTF-8 in a query key', req: { method: 'GET', target: '/api/v1/hits?%ff=1' }, status: 400, error: 'invalid_request', field: '(query)' },
    { what: 'NUL in a query value read by a handler', req: { method: 'GET', target: '/api/v1/hits?host_id=a%00b' }, status: 400, error: 'invalid_request', field: 'host_id' },
    { what: 'NUL in a JSON string', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: spec(',"name":"zero\\u0000page"') }, status: 400, error: 'invalid_request', field: 'name' },
    { what: 'NUL in a JSON key', req: { method: 'POST', target: '/api/v1/tokens', headers: JSON_TYPE, body: '{"name":"n","role":"viewer","a\\u0000":1}' }, status: 400, error: 'invalid_request', field: 'a\ufffd' },
    { what: 'a lone surrogate in a JSON string', req: { method: 'POST', target: '/api/v1/tokens', headers: JSON_TYPE, body: '{"name":"\\ud800","role":"viewer"}' }, status: 400, error: 'invalid_request', field: 'name' },
    { what: 'a "__proto__" key', req: { method: 'POST', target: '/api/v1/tokens', headers: JSON_TYPE, body: '{"__proto__":{"role":"admin"},"name":"p","role":"viewer"}' }, status: 400, error: 'invalid_request', field: '__proto__' },
    { what: 'malformed JSON', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: '{"target":' }, status: 400, error: 'invalid_request', field: '(body)' },
    { what: 'a body that is not UTF-8', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }, status: 400, error: 'invalid_request', field: '(body)' },
    { what: 'an empty JSON body', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: '' }, status: 400, error: 'invalid_request', field: '(body)' },
    { what: 'JSON nested 100,000 deep', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }, status: 400, error: 'invalid_request', field: '(body)' },
    { what: 'objects nested 100,000 deep', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}` }, status: 400, error: 'invalid_request', field: '(body)' },
    { what: 'JSON nested 65 deep (one past the limit)', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: spec(`,"rollout":${'['.repeat(64)}${']'.repeat(64)}`) }, status: 400, error: 'invalid_request', field: '(body)' },
    // 64 deep parses, so the spec's own validation answers.
    { what: 'JSON nested 64 deep (the limit)', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: spec(`,"rollout":${'['.repeat(63)}${']'.repeat(63)}`) }, status: 400, error: 'invalid_watch_spec', field: 'rollout' },
    { what: 'a body over 2 MiB', req: { method: 'POST', target: '/api/v1/watches', headers: JSON_TYPE, body: spec(`,"name":"${'x'.repeat(2 * 1024 * 1024)}"`) }, status: 413, error: 'body_too_large' },
    { what: 'a chunked body over 2 MiB', req: { method: 'POST', target: '/api/v1/watches', headers: [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], noContentLength: true, body: `300000\r\n${'x'.repeat(0x300000)}\r\n0\r\n\r\n` }, status: 413, error: 'body_too_large' },
    { what: 'a text/plain body', req: { method: 'POST', target: '/api/v1/watches', headers: [['Content-Type', 'text/plain']], body: 'hello' }, status: 415, error: 'unsupported_media_type' },
    { what: 'a form body', req: { method: 'POST', target: '/api/v1/tokens', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'name=f&role=admin' }, status: 415, error: 'unsupported_media_type' },
    { what: 'a body without a content type', req: { method: 'POST', target: '/api/v1/watches', body: '{}' }, status: 415, error: 'unsupported_media_type' },
    { what: 'two Content-Type headers', req: { method: 'POST', target: '/api/v1/watches', headers: [['Content-Type', 'application/json'], ['Content-Type', 'text/plain']], body: '{}' }, status: 400, error: 'invalid_request', field: 'header content-type' },
    { what: 'two Authorization headers', req: { method: 'POST', target: '/api/v1/tokens', headers: [['Authorization', 'Bearer pw_00000000_someone-else']], body: '{}' }, status: 400, error: 'invalid_request', field: 'header authorization' },
  ];

  it.each(cases)('$what -> $status $error', async ({ req, status, error, field, auditPath }) => {
    const res = await rawRequest(port, asAdmin(req));
    expectJsonError(res, status, error);
    if (field) expect(res.json.errors.map((e: any) => e.field)).toContain(field);
    if (req.method !== 'GET') {
      expect(await newestAudit()).toMatchObject({ method: req.method, path: auditPath ?? req.target.split('?')[0], status, token_name: 'bootstrap' });
    }
  });

  it('answers what the HTTP parser cannot read 400 in the same JSON shape, and closes the connection', async () => {
    const before = (await newestAudit()).id;
    for (const head of [
      `POST /api/v1/wat\u0000ches HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST /api/v1/watches/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST /api/v1/watches HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      `GET /api/v1/watches HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n`,
    ]) {
      const res = await exchange(port, [Buffer.from(head, 'latin1')]);
      expectJsonError(res, 400, 'bad_request');
      expect(res.headers.connection).toBe('close');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const big = await exchange(port, [`GET /api/v1/watches HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expectJsonError(big, 431, 'headers_too_large');
    // Nothing was parsed, so there is nothing to audit (documented); the log names the source.
    expect((await newestAudit()).id).toBe(before);
    await orch.child.waitForLog((l) => l.msg === 'http request refused; connection closed' && l.code === 'HPE_UNEXPECTED_CONTENT_LENGTH' && l.sourceIp === '127.0.0.1');
  });

  it('answers paths that climb out of /docs or name no dashboard file in JSON, and a missing Host (audited)', async () => {
    expectJsonError(await rawRequest(port, { method: 'GET', target: '/docs/../../../etc/passwd' }), 403, 'forbidden');
    expectJsonError(await rawRequest(port, { method: 'GET', target: '/assets/no-such-file.js' }), 404, 'not_found');
    // Client routes fall back to the app, whatever they spell: nothing outside the dashboard's files is read.
    const climbed = await rawRequest(port, { method: 'GET', target: '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd' });
    expect(climbed.status).toBe(200);
    expect(climbed.text).toContain('<div id="root">');
    const noHost = await exchange(port, [`POST /api/v1/watches/1/stop HTTP/1.1\r\nConnection: close\r\nAuthorization: Bearer ${orch.adminToken}\r\n\r\n`]);
    expectJsonError(noHost, 400, 'invalid_request');
    expect(noHost.json.errors).toEqual([{ field: 'header host', reason: 'required by HTTP/1.1' }]);
    expect(await newestAudit()).toMatchObject({ method: 'POST', path: '/api/v1/watches/1/stop', status: 400 });
  });

  it('checks the token first: a stranger\'s hostile request is a 401, audited under its source', async () => {
    const res = await rawRequest(port, { method: 'POST', target: '/api/v1/watches/%zz/stop', headers: [['X-Forwarded-For', '198.51.100.40']] });
    expectJsonError(res, 401, 'unauthenticated');
    expect(await newestAudit()).toMatchObject({ source_ip: '198.51.100.40', status: 401, path: '/api/v1/watches/%zz/stop', token_id: null });
  });

  it('answers random bytes in the path, the query and the body 4xx in JSON, auditing every change it could parse (seeded)', async () => {
    // mulberry32: the same 300 requests on every run.
    let seed = 0x5eed11;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const auditedBefore = Number((await newestAudit())?.id ?? 0);
    let parsed = 0;
    for (let i = 0; i < 300; i++) {
      const junk = bytes(1 + Math.floor(random() * 24));
      const where = i % 3;
      const head = Buffer.concat([
        Buffer.from(where === 0 ? 'POST /api/v1/watches/x' : where === 1 ? 'POST /api/v1/watches?dry_run=' : 'POST /api/v1/watches'),
        where === 2 ? Buffer.alloc(0) : junk,
        Buffer.from(` HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${orch.adminToken}\r\nContent-Type: application/json\r\nContent-Length: ${where === 2 ? junk.length : 0}\r\n\r\n`),
        where === 2 ? junk : Buffer.alloc(0),
      ]);
      const res = await exchange(port, [head]);
      expect(res.status, `request ${i}: ${head.toString('latin1')}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `request ${i}`).toBeLessThan(500);
      expect(res.json, `request ${i}: ${res.text}`).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      if (!String(res.json.message).startsWith('not a valid HTTP/1.1 request')) parsed++;
    }
    expect(parsed).toBeGreaterThan(100);
    expect(Number((await newestAudit()).id) - auditedBefore).toBe(parsed);
  });

  it('never answered 500 and still serves', async () => {
    expect(orch.child.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect((await admin.request('POST', '/api/v1/watches', { ...REPORT, name: 'after the storm' })).status).toBe(201);
  });
});

describe('slow clients', () => {
  it(`cuts off a body that dribbles in after HTTP_REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms): 408, closed, audited`, async () => {
    const body = JSON.stringify({ ...REPORT, name: 'slow' }).padEnd(400, ' ');
    const head = requestHead(asAdmin({ method: 'POST', target: '/api/v1/watches', headers: [['Content-Type', 'application/json']], body }));
    // One byte every 50 ms: the whole body would take 20 s.
    const res = await exchange(port, [head, ...body.split('')], 50);
    expectJsonError(res, 408, 'request_timeout');
    expect(res.json.message).toBe(`the request did not arrive in full within ${REQUEST_TIMEOUT_MS} ms (HTTP_REQUEST_TIMEOUT_MS)`);
    expect(res.unsent).toBeGreaterThan(0);
    // The 408 leaves before Fastify sees the body abort and writes the row.
    const row = await eventually('the cut-off change audited', async () => ((await newestAudit()).status === 408 ? newestAudit() : undefined));
    expect(row).toMatchObject({ method: 'POST', path: '/api/v1/watches', status: 408, token_name: 'bootstrap' });
    expect((await admin.request('GET', '/api/v1/watches')).body.items.map((w: any) => w.name)).not.toContain('slow');
  });

  it('cuts off headers that dribble in the same way', async () => {
    const head = requestHead(asAdmin({ method: 'GET', target: '/api/v1/watches', headers: [['X-Padding', 'p'.repeat(300)]] }));
    const res = await exchange(port, head.split(''), 20);
    expectJsonError(res, 408, 'request_timeout');
    expect(res.unsent).toBeGreaterThan(0);
  });
});

async function refusedMetric(outcome: string): Promise<number> {
  const text = await (await fetch(`${orch.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`physwatch_http_auth_refused_total{outcome="${outcome}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('failed authentication: logged and rate-limited per source address', () => {
  const attacker = '203.0.113.7';
  const bystander = '203.0.113.8';

  it(`refuses a source 429 after ${FAILURE_LIMIT} failures, so the audit log grows by at most ${FAILURE_LIMIT} rows; others are unaffected; the limit resets`, async () => {
    const guesser = admin.as('pw_00000000_a-guess-that-is-wrong-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    const guess = (ip: string) => guesser.request('POST', '/api/v1/watches', REPORT, { 'x-forwarded-for': ip });
    for (let i = 0; i < FAILURE_LIMIT; i++) expect(await guess(attacker)).toEqual({ status: 401, body: UNKNOWN });
    const res = await fetch(`${orch.url}/api/v1/watches`, { method: 'POST', headers: { authorization: 'Bearer nope', 'x-forwarded-for': attacker, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(FAILURE_WINDOW_MS / 1000);
    expect(await res.json()).toEqual({ error: 'too_many_requests', message: expect.stringContaining(`too many failed authentications from ${attacker}`) });
    for (let i = 0; i < 10; i++) expect((await guess(attacker)).status).toBe(429);
    // Even the right token, from that source, until the window ends: a lucky guess is not told apart.
    expect((await admin.request('GET', '/api/v1/watches', undefined, { 'x-forwarded-for': attacker })).status).toBe(429);
    expect(await refusedMetric('rate_limited')).toBe(12);
    expect((await admin.request('GET', '/api/v1/watches', undefined, { 'x-forwarded-for': bystander })).status).toBe(200);
    expect((await admin.request('POST', '/api/v1/watches', { ...REPORT, name: 'bystander' }, { 'x-forwarded-for': bystander })).status).toBe(201);

    const rows = await auditFrom(attacker);
    expect(rows).toHaveLength(FAILURE_LIMIT);
    expect(rows.every((r) => r.status === 401 && r.token_id === null)).toBe(true);
    const warned = orch.child.lines.filter((l) => l.msg === 'authentication failed' && l.sourceIp === attacker);
    expect(warned).toHaveLength(FAILURE_LIMIT);
    expect(warned[0]).toMatchObject({ level: 40, method: 'POST', path: '/api/v1/watches', reason: UNKNOWN.message });
    expect(orch.child.lines.filter((l) => l.msg?.startsWith('failed authentications reached the limit') && l.sourceIp === attacker)).toHaveLength(1);

    // The window ends: the right token works again and failures count from zero.
    await eventually('the window to end', async () => (await admin.request('GET', '/api/v1/watches', undefined, { 'x-forwarded-for': attacker })).status === 200, FAILURE_WINDOW_MS * 3);
    expect(await guess(attacker)).toEqual({ status: 401, body: UNKNOWN });
    expect(await auditFrom(attacker)).toHaveLength(FAILURE_LIMIT + 1);
  });
});

describe('security headers', () => {
  it('carries nosniff, frame-ancestors and X-Frame-Options, Referrer-Policy and a CSP on every answer, a looser style-src only for /docs', async () => {
    const statuses: Record<string, number> = { '/': 200, '/watches/1': 200, '/api/v1/openapi.json': 200, '/healthz': 200, '/api/v1/watches': 401, '/docs': 200 };
    for (const [path, status] of Object.entries(statuses)) {
      const res = await fetch(orch.url + path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp.includes("'unsafe-inline'"), path).toBe(path === '/docs');
    }
  });

  it('lets the dashboard and Swagger UI load everything they need in chromium, with no CSP violation', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (msg.text().includes('Content Security Policy')) violations.push(msg.text());
    });
    const failed: string[] = [];
    page.on('requestfailed', (req) => failed.push(req.url()));

    await page.goto(`${orch.url}/docs`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'physwatch orchestrator' }).waitFor();
    // The operations come from /api/v1/openapi.json, fetched by the page's own script.
    await page.locator('.opblock-summary-path', { hasText: '/api/v1/watches' }).first().waitFor();

    await page.goto(`${orch.url}/`);
    await page.getByLabel('Token').fill(orch.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(violations).toEqual([]);
    expect(failed).toEqual([]);
  });
});
