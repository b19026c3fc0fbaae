/**
 * Who may do what, against the real orchestrator process: 401 without an accepted token,
 * 403 for a role below the one needed (destructive watches need admin), tokens created,
 * listed and revoked, an audit row for every change and every refused attempt, the
 * bootstrap token from PHYSWATCH_ADMIN_TOKEN, and the CLI's tokens/audit commands.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { freshSchemaName, testDatabaseUrl, testRedisUrl } from '../support/env';
import { Orchestrator } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');
const CLI_MAIN = path.join(ROOT, 'apps/cli/dist/main.js');
const ORCHESTRATOR_MAIN = path.join(ROOT, 'apps/orchestrator/dist/main.js');
const MISSING = 'missing bearer token (Authorization: Bearer <token>)';
const UNKNOWN = 'unknown or revoked token';
// Placed nowhere (no agent carries the label): these tests are about who may create it.
const REPORT = { target: { paddr: '0x2a0e000' }, width: 1, condition: 'equals', value: '0x33', interval: '30ms', hosts: { selector: 'suite=auth' } };
const PANIC = { ...REPORT, action: 'panic' };
const KDUMP = { ...REPORT, kdump_on_hit: true };

let orch: Orchestrator;
let admin: Api;
let viewer: Api;
let operator: Api;
let scratch: string;
const secrets: string[] = [];
let viewerToken: any;
let operatorToken: any;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'physwatch-auth-e2e-'));
  orch = await Orchestrator.start();
  admin = new Api(orch.url, orch.adminToken);
  secrets.push(orch.adminToken);
  viewerToken = await admin.createToken('ci-viewer', 'viewer');
  operatorToken = await admin.createToken('oncall', 'operator');
  secrets.push(viewerToken.token, operatorToken.token);
  viewer = admin.as(viewerToken.token);
  operator = admin.as(operatorToken.token);
});

afterAll(async () => {
  await orch?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function auditRows(query: Record<string, string> = {}): Promise<any[]> {
  const res = await admin.request('GET', `/api/v1/audit?${new URLSearchParams({ limit: '1000', ...query })}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('authentication (401)', () => {
  it('refuses a request without a bearer token, with a malformed header, or with an unknown token, saying which', async () => {
    const anonymous = admin.as(null);
    expect(await anonymous.request('GET', '/api/v1/watches')).toEqual({ status: 401, body: { error: 'unauthenticated', message: MISSING } });
    expect(await anonymous.request('GET', '/api/v1/hosts', undefined, { authorization: `Basic ${orch.adminToken}` })).toEqual({ status: 401, body: { error: 'unauthenticated', message: MISSING } });
    expect(await admin.as('pw_00000000_not-a-token-this-server-made-aaaaaaaaaaaaaaaaaaaa').request('GET', '/api/v1/watches')).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: UNKNOWN },
    });
    // Also before the body is read, and on routes that do not exist: nothing is told to a stranger.
    expect(await anonymous.request('POST', '/api/v1/watches', REPORT)).toEqual({ status: 401, body: { error: 'unauthenticated', message: MISSING } });
    expect(await anonymous.request('GET', '/api/v1/no-such-thing')).toEqual({ status: 401, body: { error: 'unauthenticated', message: MISSING } });
    // The router decodes percent-escapes before matching: these reach the watches handler.
    for (const disguised of ['/%61pi/v1/watches', '/api/%761/watches', '/api/v1/w%61tches']) {
      expect(await anonymous.request('GET', disguised), disguised).toEqual({ status: 401, body: { error: 'unauthenticated', message: MISSING } });
    }
    expect(await anonymous.request('POST', '/%61pi/v1/watches', REPORT)).toEqual({ status: 401, body: { error: 'unauthenticated', message: MISSING } });
    expect((await operator.request('POST', '/%61pi/v1/watches', PANIC)).status).toBe(403);
  });

  it('leaves the OpenAPI document, /docs, health and metrics open', async () => {
    const anonymous = admin.as(null);
    for (const open of ['/api/v1/openapi.json', '/docs', '/healthz', '/readyz', '/metrics']) {
      expect((await anonymous.request('GET', open)).status, open).toBe(200);
    }
    const doc = (await anonymous.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/tokens', '/api/v1/tokens/{id}', '/api/v1/audit']));
  });
});

describe('roles (403)', () => {
  it('lets a viewer read and nothing else', async () => {
    expect((await viewer.request('GET', '/api/v1/watches')).status).toBe(200);
    expect((await viewer.request('GET', '/api/v1/hits')).status).toBe(200);
    expect(await viewer.request('POST', '/api/v1/watches', REPORT)).toEqual({
      status: 403,
      body: { error: 'forbidden', message: 'creating a watch needs role operator; this token (ci-viewer) has role viewer' },
    });
    expect((await viewer.request('GET', '/api/v1/tokens')).body.message).toBe('listing tokens needs role admin; this token (ci-viewer) has role viewer');
  });

  it('lets an operator create, pause, resume and stop report watches, but not destructive ones', async () => {
    const created = await operator.request('POST', '/api/v1/watches', REPORT);
    expect(created.status).toBe(201);
    expect(await operator.request('POST', '/api/v1/watches', PANIC)).toEqual({
      status: 403,
      body: { error: 'forbidden', message: 'creating a panic watch needs role admin; this token (oncall) has role operator' },
    });
    expect((await operator.request('POST', '/api/v1/watches', KDUMP)).body.message).toBe('creating a kdump_on_hit watch needs role admin; this token (oncall) has role operator');
    expect((await operator.request('POST', '/api/v1/watches', { ...REPORT, action: 'hang' })).status).toBe(403);
    for (const step of ['pause', 'resume', 'stop']) {
      expect((await operator.request('POST', `/api/v1/watches/${created.body.id}/${step}`)).status, step).toBe(200);
    }
    // A bad spec is still a 400 for a role that may create watches.
    expect((await operator.request('POST', '/api/v1/watches', { ...REPORT, width: 3 })).status).toBe(400);
  });

  it('lets an admin create destructive watches; an operator may pause and stop them but not resume one', async () => {
    const panic = await admin.request('POST', '/api/v1/watches', PANIC);
    expect(panic.status).toBe(201);
    expect((await admin.request('POST', '/api/v1/watches', KDUMP)).status).toBe(201);
    expect((await operator.request('POST', `/api/v1/watches/${panic.body.id}/pause`)).status).toBe(200);
    expect(await operator.request('POST', `/api/v1/watches/${panic.body.id}/resume`)).toEqual({
      status: 403,
      body: { error: 'forbidden', message: 'resuming a panic watch needs role admin; this token (oncall) has role operator' },
    });
    expect((await admin.request('POST', `/api/v1/watches/${panic.body.id}/resume`)).status).toBe(200);
    expect((await operator.request('POST', `/api/v1/watches/${panic.body.id}/stop`)).body.state).toBe('stopped');
  });
});

describe('tokens', () => {
  it('shows a secret once: the list carries no secret and no hash, and records when a token was last used', async () => {
    expect(viewerToken).toMatchObject({ name: 'ci-viewer', role: 'viewer', revoked_at: null, bootstrap: false });
    expect(viewerToken.token).toMatch(/^pw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(viewerToken.token.startsWith(`${viewerToken.prefix}_`)).toBe(true);
    const list = await admin.request('GET', '/api/v1/tokens');
    expect(list.status).toBe(200);
    const byName = Object.fromEntries(list.body.items.map((t: any) => [t.name, t]));
    expect(byName.bootstrap).toMatchObject({ role: 'admin', bootstrap: true, prefix: '' });
    expect(byName['ci-viewer'].last_used_at).not.toBeNull();
    expect(Object.keys(byName['ci-viewer']).sort()).toEqual(['bootstrap', 'created_at', 'created_by_token_id', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at', 'role']);
    expect(byName['ci-viewer'].created_by_token_id).toBe(byName.bootstrap.id);
  });

  it('refuses a bad token body naming each field, and only admins manage tokens', async () => {
    const bad = await admin.request('POST', '/api/v1/tokens', { name: '', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_request', errors: [{ field: 'name' }, { field: 'role' }] });
    expect((await operator.request('POST', '/api/v1/tokens', { name: 'x', role: 'admin' })).body.message).toBe('creating a token needs role admin; this token (oncall) has role operator');
    expect((await operator.request('DELETE', `/api/v1/tokens/${viewerToken.id}`)).status).toBe(403);
    expect((await admin.request('DELETE', '/api/v1/tokens/999999')).status).toBe(404);
  });

  it('revokes: the token is refused at once, even the one making the request', async () => {
    const doomed = await admin.createToken('leaving', 'operator');
    const second = await admin.createToken('second-admin', 'admin');
    secrets.push(doomed.token, second.token);
    const revoked = await admin.request('DELETE', `/api/v1/tokens/${doomed.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect(await admin.as(doomed.token).request('GET', '/api/v1/watches')).toEqual({ status: 401, body: { error: 'unauthenticated', message: UNKNOWN } });
    const self = admin.as(second.token);
    expect((await self.request('DELETE', `/api/v1/tokens/${second.id}`)).status).toBe(200);
    expect(await self.request('GET', '/api/v1/watches')).toEqual({ status: 401, body: { error: 'unauthenticated', message: UNKNOWN } });
  });
});

describe('audit log', () => {
  it('holds a row per change, with who, what, target, when, from where, the request and its status, refusals included', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const lastBefore = Number((await auditRows({ limit: '1' }))[0]?.id ?? 0);
    const created = (await operator.request('POST', '/api/v1/watches', { ...REPORT, name: 'audited' })).body;
    await admin.as(null).request('POST', `/api/v1/watches/${created.id}/stop`);
    await viewer.request('POST', `/api/v1/watches/${created.id}/stop`);
    await operator.request('POST', `/api/v1/watches/${created.id}/stop`, undefined, { 'x-forwarded-for': '203.0.113.9' });
    const rows = (await auditRows({ since: before })).filter((r) => Number(r.id) > lastBefore);
    const [stopped, refused403, refused401, create] = rows;
    expect(create).toMatchObject({
      token_id: operatorToken.id, token_name: 'oncall', token_role: 'operator', action: 'watch.create', target: created.id,
      source_ip: '127.0.0.1', method: 'POST', path: '/api/v1/watches', status: 201, request_body: { ...REPORT, name: 'audited' },
    });
    expect(Date.parse(create.at)).toBeGreaterThanOrEqual(Date.parse(before));
    expect(refused401).toMatchObject({ token_id: null, token_name: null, token_role: null, action: 'watch.stop', target: created.id, status: 401, request_body: null });
    expect(refused403).toMatchObject({ token_name: 'ci-viewer', token_role: 'viewer', action: 'watch.stop', status: 403 });
    // X-Forwarded-For counts only with TRUST_PROXY (not set here).
    expect(stopped).toMatchObject({ token_name: 'oncall', action: 'watch.stop', target: created.id, status: 200, source_ip: '127.0.0.1' });
    expect(rows).toHaveLength(4);
  });

  it('covers every kind of change made above, and never holds a secret', async () => {
    const rows = await auditRows();
    const seen = new Set(rows.map((r) => `${r.action} ${r.status}`));
    for (const expected of ['token.create 201', 'token.create 400', 'token.create 403', 'token.revoke 200', 'token.revoke 403', 'token.revoke 404', 'watch.create 201', 'watch.create 400', 'watch.create 401', 'watch.create 403', 'watch.pause 200', 'watch.resume 200', 'watch.resume 403', 'watch.stop 200']) {
      expect(seen, expected).toContain(expected);
    }
    const tokenCreate = rows.find((r) => r.action === 'token.create' && r.status === 201);
    expect(tokenCreate.request_body).toEqual({ name: expect.any(String), role: expect.any(String) });
    expect(tokenCreate.target).toMatch(/^[0-9]+$/);
    const everything = JSON.stringify(rows) + JSON.stringify((await admin.request('GET', '/api/v1/tokens')).body);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // Reads are not changes.
    expect(rows.some((r) => r.method === 'GET')).toBe(false);
  });

  it('filters by action and token and pages newest first; only admins read it', async () => {
    const mine = await auditRows({ token_id: operatorToken.id });
    expect(mine.length).toBeGreaterThan(3);
    expect(mine.every((r) => r.token_id === operatorToken.id)).toBe(true);
    expect((await auditRows({ action: 'token.revoke' })).every((r) => r.action === 'token.revoke')).toBe(true);
    const first = await admin.request('GET', '/api/v1/audit?limit=2');
    const second = await admin.request('GET', `/api/v1/audit?limit=2&cursor=${first.body.next_cursor}`);
    expect(Number(first.body.items[1].id)).toBeGreaterThan(Number(second.body.items[0].id));
    expect((await admin.request('GET', '/api/v1/audit?limit=0&since=yesterday')).body).toMatchObject({ error: 'invalid_query', errors: [{ field: 'limit' }, { field: 'since' }] });
    expect((await operator.request('GET', '/api/v1/audit')).body.message).toBe('reading the audit log needs role admin; this token (oncall) has role operator');
  });
});

describe('bootstrap token', () => {
  it('is refused when shorter than 24 characters: exit 2 naming PHYSWATCH_ADMIN_TOKEN, the value not echoed', () => {
    const res = spawnSync(process.execPath, [ORCHESTRATOR_MAIN], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl(), DATABASE_SCHEMA: freshSchemaName('auth'), PHYSWATCH_ADMIN_TOKEN: 'too-short-secret' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('PHYSWATCH_ADMIN_TOKEN: must be at least 24 characters');
    expect(res.stderr + res.stdout).not.toContain('too-short-secret');
  });

  it('is created again at restart after a revoke, while the setting still names it', async () => {
    const bootstrap = (await admin.request('GET', '/api/v1/tokens')).body.items.find((t: any) => t.bootstrap && !t.revoked_at);
    expect((await admin.request('DELETE', `/api/v1/tokens/${bootstrap.id}`)).status).toBe(200);
    expect(await admin.request('GET', '/api/v1/watches')).toEqual({ status: 401, body: { error: 'unauthenticated', message: UNKNOWN } });
    await orch.stop();
    await orch.spawn();
    expect((await admin.request('GET', '/api/v1/watches')).status).toBe(200);
    // The other tokens survive the restart.
    expect((await operator.request('GET', '/api/v1/watches')).status).toBe(200);
  });
});

describe('trusting a proxy', () => {
  it('takes the source address from X-Forwarded-For only with TRUST_PROXY', async () => {
    const proxied = await Orchestrator.start({ env: { TRUST_PROXY: 'true' } });
    try {
      const api = new Api(proxied.url, proxied.adminToken);
      await api.request('POST', '/api/v1/watches', REPORT, { 'x-forwarded-for': '203.0.113.9' });
      const rows = (await api.request('GET', '/api/v1/audit')).body.items;
      expect(rows[0]).toMatchObject({ action: 'watch.create', status: 201, source_ip: '203.0.113.9' });
    } finally {
      await proxied.stop();
    }
  });
});

describe('physwatch CLI with tokens', () => {
  function cli(args: string[], token: string | null): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: scratch, PHYSWATCH_SERVER: orch.url };
    delete env.PHYSWATCH_CONFIG;
    delete env.PHYSWATCH_TOKEN;
    if (token !== null) env.PHYSWATCH_TOKEN = token;
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('creates, lists and revokes tokens and lists the audit log; 401 and 403 are exit 1 with the reason', async () => {
    const created = await cli(['tokens', 'create', '--name', 'from-cli', '--role', 'viewer', '-o', 'json'], orch.adminToken);
    expect(created.code, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({ name: 'from-cli', role: 'viewer', token: expect.stringMatching(/^pw_/) });

    const table = await cli(['tokens', 'create', '--name', 'from-cli-2', '--role', 'operator'], orch.adminToken);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/token \(shown this once; store it now\):\npw_[0-9a-f]{8}_\S{43}\n$/);

    const listed = await cli(['tokens', 'list'], orch.adminToken);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+PREFIX\s+STATE/);
    expect(listed.stdout).toContain('from-cli');
    expect(listed.stdout).not.toContain(token.token);

    const yaml = await cli(['tokens', 'revoke', token.id, '-o', 'yaml'], orch.adminToken);
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(yaml.stdout).toContain('name: from-cli');
    expect(yaml.stdout).toMatch(/revoked_at: "?\d{4}-/);

    const audit = await cli(['audit', 'list', '--action', 'token.revoke', '--limit', '5'], orch.adminToken);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^ID\s+AT\s+WHO\s+ACTION\s+TARGET\s+STATUS\s+FROM\s+REQUEST/);
    expect(audit.stdout).toContain(`token.revoke   ${token.id}`);

    const revokedUse = await cli(['watch', 'list'], token.token);
    expect(revokedUse.code).toBe(1);
    expect(revokedUse.stderr).toBe(`error: not authenticated by ${orch.url}: unknown or revoked token; the token comes from PHYSWATCH_TOKEN\n`);
    const none = await cli(['watch', 'list'], null);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`error: not authenticated by ${orch.url}: ${MISSING}; no token is set: pass --token, set PHYSWATCH_TOKEN, or put "token: …" in the config file (~/.config/physwatch/config.yaml or PHYSWATCH_CONFIG)\n`);
    const forbidden = await cli(['audit', 'list', '-o', 'json'], viewerToken.token);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toBe(`error: not allowed by ${orch.url}: reading the audit log needs role admin; this token (ci-viewer) has role viewer (token from PHYSWATCH_TOKEN)\n`);
  });
});
