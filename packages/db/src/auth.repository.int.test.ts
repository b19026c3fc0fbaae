import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAuditEntry } from './audit.repository';
import type { Database } from './database';
import { freshDatabase, TestDatabase } from './test-helpers';

let t: TestDatabase;
let db: Database;
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

beforeAll(async () => {
  t = await freshDatabase('auth');
  db = t.db;
});

afterAll(async () => {
  await t.drop();
});

describe('api tokens', () => {
  it('upserts the bootstrap token: once, again after a revoke, and replaced when the setting changes', async () => {
    const first = await db.apiTokens.upsertBootstrap(HASH_A, '');
    expect(first).toMatchObject({ created: true, revoked: [], row: { name: 'bootstrap', role: 'admin', bootstrap: true, revokedAt: null } });
    // A second replica (or a restart) with the same setting adds nothing.
    const again = await db.apiTokens.upsertBootstrap(HASH_A, '');
    expect(again).toMatchObject({ created: false, row: { id: first.row.id } });
    expect((await db.apiTokens.findActiveByHash(HASH_A))?.id).toBe(first.row.id);

    await db.apiTokens.revoke(first.row.id);
    expect(await db.apiTokens.findActiveByHash(HASH_A)).toBeNull();
    const recreated = await db.apiTokens.upsertBootstrap(HASH_A, '');
    expect(recreated.created).toBe(true);
    expect(recreated.row.id).not.toBe(first.row.id);

    const rotated = await db.apiTokens.upsertBootstrap(HASH_B, '');
    expect(rotated).toMatchObject({ created: true, revoked: [recreated.row.id] });
    expect(await db.apiTokens.findActiveByHash(HASH_A)).toBeNull();
  });

  it('creates, lists newest first without the hash, and revokes once', async () => {
    const made = await db.apiTokens.create({ name: 'alice', role: 'operator', prefix: 'pw_00c0ffee', tokenHash: 'c'.repeat(64), createdByTokenId: null });
    for (let i = 0; i < 10; i++) await db.apiTokens.create({ name: `t${i}`, role: 'viewer', prefix: '', tokenHash: i.toString(16).repeat(64), createdByTokenId: null });
    const listed = await db.apiTokens.list();
    expect(listed.map((t) => Number(t.id))).toEqual(listed.map((t) => Number(t.id)).sort((a, b) => b - a));
    expect(listed.find((t) => t.id === made.id)).toEqual(made);
    expect(JSON.stringify(listed)).not.toContain('c'.repeat(64));
    const revoked = await db.apiTokens.revoke(made.id);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect((await db.apiTokens.revoke(made.id))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await db.apiTokens.revoke('999999')).toBeNull();
  });

  it('records a use at most once a minute', async () => {
    const made = await db.apiTokens.create({ name: 'bob', role: 'viewer', prefix: '', tokenHash: 'd'.repeat(64), createdByTokenId: null });
    await db.apiTokens.touch(made.id);
    const first = (await db.apiTokens.get(made.id))!.lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await db.apiTokens.touch(made.id);
    expect((await db.apiTokens.get(made.id))!.lastUsedAt).toEqual(first);
  });
});

describe('audit log', () => {
  const entry = (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
    tokenId: null, tokenName: null, tokenRole: null, action: 'watch.create', target: null,
    sourceIp: '127.0.0.1', method: 'POST', path: '/api/v1/watches', requestBody: { width: 1 }, status: 201, ...overrides,
  });

  it('lists newest first, filtered by action, token and time, paged by id', async () => {
    const token = await db.apiTokens.create({ name: 'carol', role: 'admin', prefix: '', tokenHash: 'e'.repeat(64), createdByTokenId: null });
    const rows = [];
    for (let i = 0; i < 5; i++) {
      rows.push(await db.audit.insert(entry({ target: String(i), tokenId: i % 2 ? token.id : null, tokenName: i % 2 ? 'carol' : null, action: i === 4 ? 'watch.stop' : 'watch.create' })));
    }
    expect(rows[0]).toMatchObject({ requestBody: { width: 1 }, status: 201, sourceIp: '127.0.0.1' });
    expect((await db.audit.list({ limit: 10 })).map((r) => r.target)).toEqual(['4', '3', '2', '1', '0']);
    expect((await db.audit.list({ limit: 10, action: 'watch.stop' })).map((r) => r.target)).toEqual(['4']);
    expect((await db.audit.list({ limit: 10, tokenId: token.id })).map((r) => r.target)).toEqual(['3', '1']);
    expect((await db.audit.list({ limit: 2, beforeId: rows[3].id })).map((r) => r.target)).toEqual(['2', '1']);
    expect(await db.audit.list({ limit: 10, since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect((await db.audit.insert(entry({ requestBody: null }))).requestBody).toBeNull();
    // Ordered by the numeric id, not its text: row 10 comes before row 9.
    for (let i = 0; i < 10; i++) await db.audit.insert(entry());
    const ids = (await db.audit.list({ limit: 100 })).map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });
});
