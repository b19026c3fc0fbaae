import { Inject, Injectable } from '@nestjs/common';
import type { EnrollmentTokenView, NewEnrollmentTokenView } from '@physwatch/core';
import { Database } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { Logger, LOGGER } from '../config/logger';
import type { Principal } from '../auth/access';
import type { AuditTrail } from '../auth/audit-entry';
import { newTokenSecret } from '../auth/token-secret';
import { enrollmentTokenJson } from './enrollment-token.view';
import { readNewEnrollmentToken } from './enrollment-token-input';

/** Enrollment tokens start with this, so a leaked one is told apart from an API token. */
export const ENROLLMENT_TOKEN_PREFIX = 'pwe_';

/** Enrollment tokens: creating (the secret shown once), listing, revoking; each change audited. */
@Injectable()
export class EnrollmentTokensService {
  constructor(
    private readonly db: Database,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(body: unknown, caller: Principal, audit: AuditTrail): Promise<NewEnrollmentTokenView> {
    const input = readNewEnrollmentToken(body);
    const secret = newTokenSecret(ENROLLMENT_TOKEN_PREFIX);
    const row = await this.db.transaction(async (tx) => {
      const row = await tx.enrollment.createToken({
        name: input.name,
        prefix: secret.prefix,
        tokenHash: secret.hash,
        labels: input.labels,
        maxUses: input.maxUses,
        expiresAt: new Date(Date.now() + input.expiresInMs),
        createdByTokenId: caller.tokenId,
      });
      await audit.record(tx, row.id);
      return row;
    });
    this.logger.info({ enrollmentTokenId: row.id, name: row.name, maxUses: row.maxUses, expiresAt: row.expiresAt, labels: row.labels, by: caller.tokenId }, 'enrollment token created');
    return { ...enrollmentTokenJson(row), token: secret.token };
  }

  async list(): Promise<EnrollmentTokenView[]> {
    return (await this.db.enrollment.listTokens()).map(enrollmentTokenJson);
  }

  /** Hosts already enrolled with it keep their certificates; revoke those hosts to cut them off. */
  async revoke(id: string, caller: Principal, audit: AuditTrail): Promise<EnrollmentTokenView> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new NotFoundError('enrollment token', id);
    const row = await this.db.transaction(async (tx) => {
      const row = await tx.enrollment.revokeToken(id);
      if (!row) throw new NotFoundError('enrollment token', id);
      await audit.record(tx, id);
      return row;
    });
    this.logger.info({ enrollmentTokenId: id, name: row.name, by: caller.tokenId }, 'enrollment token revoked');
    return enrollmentTokenJson(row);
  }
}
