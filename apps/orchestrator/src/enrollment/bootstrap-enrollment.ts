/**
 * BOOTSTRAP_ENROLLMENT_DIR: at first start the orchestrator makes one enrollment token itself
 * and leaves it, with the agent CA certificate, where agents sharing the directory read it
 * (docker-compose: a volume mounted read-only into each agent). Later starts find the token
 * file and make none. The token is audited like one an admin made (no API token: "bootstrap").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Database } from '@physwatch/db';
import { newTokenSecret } from '../auth/token-secret';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import type { AgentPki } from './agent-pki';
import { ENROLLMENT_TOKEN_PREFIX } from './enrollment-tokens.service';
import { AGENT_PKI } from './pki.provider';

const EXPIRES_MS = 24 * 3_600_000;

@Injectable()
export class BootstrapEnrollment implements OnApplicationBootstrap {
  constructor(
    private readonly db: Database,
    @Inject(AGENT_PKI) private readonly pki: AgentPki | null,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const bootstrap = this.config.pki.bootstrapEnrollment;
    if (!bootstrap || !this.pki) return;
    const tokenFile = path.join(bootstrap.dir, 'token');
    fs.mkdirSync(bootstrap.dir, { recursive: true });
    fs.writeFileSync(path.join(bootstrap.dir, 'ca.pem'), this.pki.ca.certPem, { mode: 0o644 });
    if (fs.existsSync(tokenFile)) return;
    const secret = newTokenSecret(ENROLLMENT_TOKEN_PREFIX);
    const row = await this.db.transaction(async (tx) => {
      const row = await tx.enrollment.createToken({
        name: 'bootstrap', prefix: secret.prefix, tokenHash: secret.hash, labels: {}, maxUses: bootstrap.uses, expiresAt: new Date(Date.now() + EXPIRES_MS), createdByTokenId: null,
      });
      await tx.audit.insert({
        tokenId: null, tokenName: 'bootstrap', tokenRole: null, action: 'enrollment_token.create', target: row.id, sourceIp: 'local',
        method: 'BOOTSTRAP', path: 'BOOTSTRAP_ENROLLMENT_DIR', requestBody: { name: 'bootstrap', max_uses: bootstrap.uses, dir: bootstrap.dir }, status: 201,
      });
      return row;
    });
    try {
      // Exclusive create: of replicas starting together on one directory, one token is kept.
      fs.writeFileSync(tokenFile, `${secret.token}\n`, { mode: 0o600, flag: 'wx' });
      this.logger.info({ enrollmentTokenId: row.id, dir: bootstrap.dir, uses: bootstrap.uses }, 'bootstrap enrollment token written');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await this.db.enrollment.revokeToken(row.id);
    }
  }
}
