import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { isRole, ROLES } from '@physwatch/core';
import type { NewTokenView, TokenView } from '@physwatch/core';
import { Database } from '@physwatch/db';
import { InvalidRequestError, NotFoundError, UnauthenticatedError } from '../common/errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { MISSING_TOKEN, Principal, UNKNOWN_TOKEN } from './access';
import type { AuditTrail } from './audit-entry';
import { tokenJson } from './token.view';
import { hashToken, newTokenSecret, publicPrefix } from './token-secret';

const BEARER = /^Bearer +(\S+) *$/i;
const TOUCH_EVERY_MS = 60_000;
const NAME_MAX = 128;

/** API tokens: checking the one a request carries, creating, listing, revoking, and the bootstrap token. */
@Injectable()
export class TokensService implements OnModuleInit {
  // When this replica last recorded each token's use: last_used_at is written at most once a minute.
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Database,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** PHYSWATCH_ADMIN_TOKEN becomes the active admin token "bootstrap" (only its hash is stored). */
  async onModuleInit(): Promise<void> {
    const secret = this.config.adminToken;
    if (secret === null) {
      this.logger.info('PHYSWATCH_ADMIN_TOKEN is not set: no bootstrap token is created; existing tokens stay as they are');
      return;
    }
    const { row, created, revoked } = await this.db.apiTokens.upsertBootstrap(hashToken(secret), publicPrefix(secret));
    this.logger.info({ tokenId: row.id, created, revokedPrevious: revoked }, 'bootstrap admin token from PHYSWATCH_ADMIN_TOKEN');
  }

  /** The caller a request's Authorization header names; UnauthenticatedError (401) otherwise. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match) throw new UnauthenticatedError(MISSING_TOKEN);
    const row = await this.db.apiTokens.findActiveByHash(hashToken(match[1]));
    if (!row) throw new UnauthenticatedError(UNKNOWN_TOKEN);
    await this.touch(row.id);
    return { tokenId: row.id, name: row.name, role: row.role };
  }

  private async touch(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    // Bookkeeping only: a failure here must not refuse the request.
    await this.db.apiTokens.touch(id).catch((err: unknown) => this.logger.warn({ err, tokenId: id }, 'could not record token use'));
  }

  /** Stores the hash and answers the token itself, the only time anyone sees it. */
  async create(body: unknown, caller: Principal, audit: AuditTrail): Promise<NewTokenView> {
    const { name, role } = readNewToken(body);
    const secret = newTokenSecret();
    const row = await this.db.transaction(async (tx) => {
      const row = await tx.apiTokens.create({ name, role, prefix: secret.prefix, tokenHash: secret.hash, createdByTokenId: caller.tokenId });
      await audit.record(tx, row.id);
      return row;
    });
    this.logger.info({ tokenId: row.id, name, role, by: caller.tokenId }, 'token created');
    return { ...tokenJson(row), token: secret.token };
  }

  async list(): Promise<TokenView[]> {
    return (await this.db.apiTokens.list()).map(tokenJson);
  }

  /** Revoking takes effect on the next request on every replica (each request looks the token up). */
  async revoke(id: string, caller: Principal, audit: AuditTrail): Promise<TokenView> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new NotFoundError('token', id);
    const row = await this.db.transaction(async (tx) => {
      const row = await tx.apiTokens.revoke(id);
      if (!row) throw new NotFoundError('token', id);
      await audit.record(tx, id);
      return row;
    });
    this.logger.info({ tokenId: id, name: row.name, by: caller.tokenId }, 'token revoked');
    return tokenJson(row);
  }
}

/** POST /api/v1/tokens body: {"name", "role"}; every bad field named. */
export function readNewToken(body: unknown): { name: string; role: (typeof ROLES)[number] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError([{ field: '(body)', reason: 'must be a JSON object {"name", "role"}' }]);
  }
  const input = body as Record<string, unknown>;
  const errors: Array<{ field: string; reason: string }> = [];
  for (const key of Object.keys(input)) if (key !== 'name' && key !== 'role') errors.push({ field: key, reason: 'unknown field (allowed: name, role)' });
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length === 0 || name.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    errors.push({ field: 'name', reason: `required: 1 to ${NAME_MAX} characters without control characters, e.g. "alice" or "ci-deploy"` });
  }
  if (!isRole(input.role)) errors.push({ field: 'role', reason: `required: one of ${ROLES.join(', ')}` });
  if (errors.length > 0) throw new InvalidRequestError(errors);
  return { name, role: input.role as (typeof ROLES)[number] };
}
