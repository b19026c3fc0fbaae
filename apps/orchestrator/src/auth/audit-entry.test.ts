import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../common/errors';
import { auditEntry, isAuditedRequest, REDACTED, redactSecrets } from './audit-entry';
import { readNewToken } from './tokens.service';

function request(overrides: Record<string, unknown>): never {
  const url = overrides.url ?? '/api/v1/watches';
  return { method: 'POST', url, originalUrl: url, ip: '10.0.0.7', params: {}, routeOptions: { config: {} }, ...overrides } as never;
}

describe('audit entries', () => {
  it('redacts the value of every secret-looking key, at any depth', () => {
    expect(redactSecrets({ name: 'x', token: 'pw_1', nested: [{ client_secret: 's', ok: 1 }], Authorization: 'Bearer a' })).toEqual({
      name: 'x',
      token: REDACTED,
      nested: [{ client_secret: REDACTED, ok: 1 }],
      Authorization: REDACTED,
    });
  });

  it('records who, what, target, from where and the outcome; null who for a request without a token', () => {
    const who = { tokenId: '2', name: 'alice', role: 'operator' };
    const refused = request({ url: '/api/v1/watches/12/stop?x=1', params: { id: '12' }, routeOptions: { config: { access: { role: 'operator', action: 'watch.stop', what: 'stopping a watch' } } } });
    expect(auditEntry(refused, 401, null)).toEqual({
      tokenId: null, tokenName: null, tokenRole: null, action: 'watch.stop', target: '12',
      sourceIp: '10.0.0.7', method: 'POST', path: '/api/v1/watches/12/stop', requestBody: null, status: 401,
    });
    // The router decodes %00 into the id; Postgres text cannot hold NUL, and the row must still be written.
    expect(auditEntry(request({ url: '/api/v1/watches/%00/stop', params: { id: 'a\u0000b' } }), 400, null)).toMatchObject({ target: 'a\ufffdb', path: '/api/v1/watches/%00/stop' });
    const created = request({ principal: who, body: { name: 'w', width: 1 } });
    expect(auditEntry(created, 201, '40')).toMatchObject({ tokenId: '2', tokenName: 'alice', tokenRole: 'operator', action: 'unknown', target: '40', requestBody: { name: 'w', width: 1 } });
  });

  it('audits every change under /api/v1, no read and nothing outside it', () => {
    expect(isAuditedRequest(request({}))).toBe(true);
    expect(isAuditedRequest(request({ method: 'DELETE', url: '/api/v1/tokens/3' }))).toBe(true);
    expect(isAuditedRequest(request({ method: 'GET' }))).toBe(false);
    expect(isAuditedRequest(request({ url: '/metrics' }))).toBe(false);
  });
});

describe('POST /api/v1/tokens body', () => {
  it('takes a name and a role, naming every bad field', () => {
    expect(readNewToken({ name: ' alice ', role: 'viewer' })).toEqual({ name: 'alice', role: 'viewer' });
    let error: InvalidRequestError | undefined;
    try {
      readNewToken({ name: '', role: 'root', token: 'x' });
    } catch (err) {
      error = err as InvalidRequestError;
    }
    expect(error?.errors.map((e) => e.field)).toEqual(['token', 'name', 'role']);
  });
});
