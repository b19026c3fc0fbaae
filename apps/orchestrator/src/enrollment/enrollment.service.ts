import { Inject, Injectable } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { Database, EnrollmentTokenRow, Repositories } from '@physwatch/db';
import type { EnrollRequest__Output, IssuedCertificate } from '@physwatch/proto';
import { AuthFailureLimiter } from '../auth/auth-failures';
import { hashToken } from '../auth/token-secret';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { CsrError, IssuedCert } from './agent-ca';
import type { AgentPki } from './agent-pki';
import { CONNECT_RPC, ENROLL_RPC, grpcAudit, peerAddress } from './grpc-audit';
import { auditStatus, IdentityRefusal } from './identity-errors';
import { AGENT_PKI } from './pki.provider';

const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const CSR_MAX = 16 * 1024;

/** Why a token enrolls no host (null: it may). The messages are the contract (docs/contracts.md). */
function tokenRefusal(token: EnrollmentTokenRow | null): IdentityRefusal | null {
  if (!token) return new IdentityRefusal(status.UNAUTHENTICATED, 'enrollment token not recognised: check it, or have an admin create one (physwatch enrollment-tokens create)');
  const named = `enrollment token "${token.name}" (${token.prefix})`;
  if (token.revokedAt) return new IdentityRefusal(status.PERMISSION_DENIED, `${named} was revoked at ${token.revokedAt.toISOString()}`);
  if (token.expiresAt.getTime() <= Date.now()) return new IdentityRefusal(status.PERMISSION_DENIED, `${named} expired at ${token.expiresAt.toISOString()}`);
  if (token.uses >= token.maxUses) return new IdentityRefusal(status.PERMISSION_DENIED, `${named} is used up (${token.uses} of ${token.maxUses} uses)`);
  return null;
}

/** Issues host certificates: Enrollment.Enroll with a token, and renewals on the mTLS stream. */
@Injectable()
export class EnrollmentService {
  // Refused tokens per source address, limited like failed REST authentications
  // (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS), so guessing cannot grow the audit log without bound.
  private readonly failures: AuthFailureLimiter;

  constructor(
    private readonly db: Database,
    @Inject(AGENT_PKI) private readonly pki: AgentPki | null,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.failures = new AuthFailureLimiter(config.httpGuard.authFailureLimit, config.httpGuard.authFailureWindowMs);
  }

  async enroll(request: EnrollRequest__Output, peer: string): Promise<IssuedCertificate> {
    const asked = { host_id: request.host_id.slice(0, 128), hostname: request.hostname.slice(0, 255) };
    const source = peerAddress(peer);
    const waitMs = this.failures.blockedFor(source);
    if (waitMs !== null) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new IdentityRefusal(status.RESOURCE_EXHAUSTED, `too many refused enrollment tokens from ${source} (${this.failures.limit} in ${this.failures.windowMs} ms); retry after ${seconds} s`);
    }
    try {
      const pki = this.requirePki();
      checkRequest(request);
      // Enrollments with one token serialize on its row, so that row is locked last (the use
      // counted at the end of the transaction) and the certificate is signed before it all. A
      // refused request's certificate is never recorded, and one not recorded opens no stream.
      const issued = await this.issue(pki, request.csr_pem, request.host_id);
      const { token } = await this.db.transaction(async (tx) => {
        const token = await tx.enrollment.findTokenByHash(hashToken(request.token));
        const refused = tokenRefusal(token);
        if (refused) throw refused;
        await this.refuseIfEnrolled(tx, request.host_id);
        await tx.enrollment.upsertIdentity(request.host_id, token!.id, token!.labels);
        await this.applyTokenLabels(tx, request.host_id, request.hostname, token!.labels);
        await tx.enrollment.addCertificate({ serial: issued.serial, hostId: request.host_id, kind: 'enrollment', notBefore: issued.notBefore, notAfter: issued.notAfter });
        await tx.audit.insert(
          grpcAudit({
            action: 'agent.enroll',
            hostId: request.host_id,
            peer,
            rpc: ENROLL_RPC,
            status: 201,
            details: { ...asked, enrollment_token_id: token!.id, enrollment_token: token!.name, labels: token!.labels, serial: issued.serial, not_after: issued.notAfter.toISOString() },
          }),
        );
        const use = await tx.enrollment.useToken(token!.id);
        // Another enrollment took the last use (or an admin revoked it) meanwhile.
        if (!use.used) throw tokenRefusal(use.token) ?? new IdentityRefusal(status.PERMISSION_DENIED, 'enrollment token no longer usable');
        return { token: use.token! };
      });
      this.logger.info({ hostId: request.host_id, peer, enrollmentTokenId: token.id, serial: issued.serial, notAfter: issued.notAfter, labels: token.labels }, 'agent enrolled');
      return this.answer(pki, issued, request.host_id);
    } catch (err) {
      if (err instanceof IdentityRefusal && (err.code === status.UNAUTHENTICATED || err.code === status.PERMISSION_DENIED) && this.failures.recordFailure(source)) {
        this.logger.warn({ sourceIp: source, limit: this.failures.limit, windowMs: this.failures.windowMs }, 'refused enrollment tokens reached the limit: this source is answered RESOURCE_EXHAUSTED until its window ends');
      }
      await this.refused(err, 'agent.enroll', request.host_id || null, peer, ENROLL_RPC, asked);
      throw err;
    }
  }

  /** A new certificate for the host this stream's certificate names; refused once the host is revoked. */
  async renew(hostId: string, csrPem: string, peer: string): Promise<IssuedCertificate> {
    try {
      const pki = this.requirePki();
      if (csrPem.length === 0 || csrPem.length > CSR_MAX) throw new IdentityRefusal(status.INVALID_ARGUMENT, `CertificateRenewal.csr_pem: must be a PEM certificate request of 1 to ${CSR_MAX} characters`);
      const issued = await this.db.transaction(async (tx) => {
        const identity = await tx.enrollment.lockIdentity(hostId);
        if (!identity || identity.revokedAt) {
          throw new IdentityRefusal(status.PERMISSION_DENIED, `host "${hostId}" was revoked${identity?.revokedAt ? ` at ${identity.revokedAt.toISOString()}` : ''}: it cannot renew until it is enrolled again`);
        }
        const issued = await this.issue(pki, csrPem, hostId, 'CertificateRenewal.csr_pem');
        await tx.enrollment.addCertificate({ serial: issued.serial, hostId, kind: 'renewal', notBefore: issued.notBefore, notAfter: issued.notAfter });
        await tx.audit.insert(grpcAudit({ action: 'agent.renew', hostId, peer, rpc: CONNECT_RPC, status: 201, details: { serial: issued.serial, not_after: issued.notAfter.toISOString() } }));
        return issued;
      });
      this.logger.info({ hostId, peer, serial: issued.serial, notAfter: issued.notAfter }, 'agent certificate renewed');
      return this.answer(pki, issued, hostId);
    } catch (err) {
      await this.refused(err, 'agent.renew', hostId, peer, CONNECT_RPC, {});
      throw err;
    }
  }

  private requirePki(): AgentPki {
    if (!this.pki) throw new IdentityRefusal(status.FAILED_PRECONDITION, 'this orchestrator runs with GRPC_INSECURE: it issues no certificates');
    return this.pki;
  }

  /** A host with a live certificate is not enrolled again: a token holder could otherwise take over its identity. */
  private async refuseIfEnrolled(tx: Repositories, hostId: string): Promise<void> {
    const identity = await tx.enrollment.lockIdentity(hostId);
    if (!identity || identity.revokedAt) return;
    const active = await tx.enrollment.activeCertificate(hostId);
    if (!active) return;
    throw new IdentityRefusal(
      status.ALREADY_EXISTS,
      `host "${hostId}" is already enrolled (its certificate is valid until ${active.notAfter.toISOString()}): revoke it first (physwatch hosts revoke ${hostId}) to enroll it again`,
    );
  }

  /** The token's labels become operator labels of the host (added to any an operator set; the token's win on a shared key). */
  private async applyTokenLabels(tx: Repositories, hostId: string, hostname: string, labels: Record<string, string>): Promise<void> {
    if (Object.keys(labels).length === 0) return;
    const existing = await tx.hosts.get(hostId, this.config.hostOfflineAfterMs);
    await tx.hosts.setOperatorLabels(hostId, { ...(existing?.operatorLabels ?? {}), ...labels }, hostname);
  }

  private async issue(pki: AgentPki, csrPem: string, hostId: string, field = 'EnrollRequest.csr_pem'): Promise<IssuedCert> {
    try {
      return await pki.ca.issueClient(csrPem, hostId, this.config.pki.agentCertTtlMs);
    } catch (err) {
      if (err instanceof CsrError) throw new IdentityRefusal(status.INVALID_ARGUMENT, err.message.replace(/^csr_pem/, field));
      throw err;
    }
  }

  private answer(pki: AgentPki, issued: IssuedCert, hostId: string): IssuedCertificate {
    return { certificate_pem: issued.certificatePem, ca_pem: pki.ca.certPem, not_after_unix_ms: String(issued.notAfter.getTime()), host_id: hostId };
  }

  /** Audits a refusal (its own write: the transaction that would have issued rolled back). */
  private async refused(err: unknown, action: string, hostId: string | null, peer: string, rpc: string, details: Record<string, unknown>): Promise<void> {
    if (!(err instanceof IdentityRefusal)) return;
    this.logger.warn({ hostId, peer, code: status[err.code], reason: err.message }, `${action} refused`);
    await this.db.audit.insert(grpcAudit({ action: `${action}.refused`, hostId, peer, rpc, status: auditStatus(err.code), details: { ...details, reason: err.message } }));
  }
}

function checkRequest(request: EnrollRequest__Output): void {
  if (!HOST_ID.test(request.host_id)) {
    throw new IdentityRefusal(status.INVALID_ARGUMENT, `EnrollRequest.host_id ${JSON.stringify(request.host_id.slice(0, 140))} is not a host id (1-128 of A-Z a-z 0-9 . _ : -)`);
  }
  if (request.token === '') throw new IdentityRefusal(status.UNAUTHENTICATED, 'EnrollRequest.token is empty: pass the enrollment token an admin created (physwatch enrollment-tokens create)');
  if (request.csr_pem.length === 0 || request.csr_pem.length > CSR_MAX) {
    throw new IdentityRefusal(status.INVALID_ARGUMENT, `EnrollRequest.csr_pem: must be a PEM certificate request of 1 to ${CSR_MAX} characters`);
  }
  if (request.hostname.length > 255 || request.hostname.includes('\u0000')) throw new IdentityRefusal(status.INVALID_ARGUMENT, 'EnrollRequest.hostname: at most 255 characters, no NUL');
}
