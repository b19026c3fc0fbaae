import { X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import type { HostRevocationView } from '@physwatch/core';
import { Database } from '@physwatch/db';
import type { Hello__Output } from '@physwatch/proto';
import { NotFoundError } from '../common/errors';
import type { Principal } from '../auth/access';
import type { AuditTrail } from '../auth/audit-entry';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { DesiredStateBus } from '../desired-state/desired-state.bus';
import { CONNECT_RPC, grpcAudit } from './grpc-audit';
import { auditStatus, IdentityRefusal } from './identity-errors';
import { certificateHostId } from './x509';

/**
 * The host identity of an agent stream: the verified client certificate (TLS checked the
 * chain to the agent CA; here: a certificate this orchestrator issued, for that host, not
 * revoked), never what Hello says. Also host revocation.
 */
@Injectable()
export class AgentIdentityService {
  constructor(
    private readonly db: Database,
    private readonly bus: DesiredStateBus,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The host this stream is; IdentityRefusal (audited) when it may not be served. */
  async admit(peerCertificate: Buffer | null, peer: string, hello: Hello__Output): Promise<string> {
    if (this.config.grpc.insecure) return hello.host_id;
    let hostId: string | null = null;
    try {
      if (!peerCertificate) throw new IdentityRefusal(status.UNAUTHENTICATED, 'no verified client certificate: enroll first (Enrollment.Enroll with an enrollment token)');
      const cert = new X509Certificate(peerCertificate);
      hostId = certificateHostId(cert);
      if (!hostId) throw new IdentityRefusal(status.PERMISSION_DENIED, 'the client certificate names no host (URI SAN physwatch://host/<id>): use the certificate enrollment issued');
      if (hello.host_id !== hostId) {
        throw new IdentityRefusal(status.PERMISSION_DENIED, `Hello.host_id "${hello.host_id}" is not this connection's identity: its certificate is for host "${hostId}"`);
      }
      const serial = cert.serialNumber.toUpperCase();
      const refusal = await this.db.enrollment.checkCertificate(serial, hostId);
      if (refusal === 'revoked') throw new IdentityRefusal(status.PERMISSION_DENIED, `host "${hostId}" was revoked: it cannot connect until it is enrolled again`);
      if (refusal !== null) throw new IdentityRefusal(status.PERMISSION_DENIED, `certificate ${serial} for host "${hostId}" was not issued by this orchestrator's enrollment`);
      return hostId;
    } catch (err) {
      if (err instanceof IdentityRefusal) {
        this.logger.warn({ hostId, helloHostId: hello.host_id, peer, reason: err.message }, 'agent stream refused');
        await this.db.audit.insert(
          grpcAudit({ action: 'agent.connect.refused', hostId: hostId ?? hello.host_id, peer, rpc: CONNECT_RPC, status: auditStatus(err.code), details: { hello_host_id: hello.host_id, reason: err.message } }),
        );
      }
      throw err;
    }
  }

  /** Revokes the host's certificates; the replica holding its stream closes it on the bus event. */
  async revokeHost(id: string, caller: Principal, audit: AuditTrail): Promise<HostRevocationView> {
    const result = await this.db.transaction(async (tx) => {
      const result = await tx.enrollment.revokeHost(id);
      if (!result) throw new NotFoundError('enrolled host', id);
      await audit.record(tx, id);
      await this.bus.publish(tx, { kind: 'revoked', hostId: id });
      return result;
    });
    this.logger.info({ hostId: id, certificatesRevoked: result.certificatesRevoked, by: caller.tokenId }, 'host revoked');
    return {
      host_id: id,
      revoked_at: result.identity.revokedAt!.toISOString(),
      certificates_revoked: result.certificatesRevoked,
      enrolled_at: result.identity.enrolledAt.toISOString(),
    };
  }
}
