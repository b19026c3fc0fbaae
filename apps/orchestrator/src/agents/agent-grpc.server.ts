import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Server, ServerCredentials, ServiceError, status } from '@grpc/grpc-js';
import { AgentGatewayHandlers, EnrollmentHandlers, loadPhyswatchProto } from '@physwatch/proto';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import type { AgentPki } from '../enrollment/agent-pki';
import { EnrollmentService } from '../enrollment/enrollment.service';
import { IdentityRefusal } from '../enrollment/identity-errors';
import { AGENT_PKI } from '../enrollment/pki.provider';
import { AgentGatewayService } from './agent-gateway.service';
import { bindAddress, enrollmentCredentials, gatewayCredentials } from './grpc-credentials';

const SHUTDOWN_GRACE_MS = 5000;

/**
 * Plain grpc-js servers (not @nestjs/microservices, which buffers outgoing stream messages
 * without bound), owned by Nest for their lifecycle: AgentGateway on GRPC_PORT (mutual TLS)
 * and Enrollment on ENROLL_PORT (server-only TLS). Two servers, not one with per-call
 * checks: grpc-js registers services per server, so this way the stream port serves no
 * one whose certificate the handshake did not verify (docs/contracts.md, "Agent identity").
 */
@Injectable()
export class AgentGrpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private servers: Server[] = [];
  private boundPort: number | null = null;
  private boundEnrollPort: number | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AGENT_PKI) private readonly pki: AgentPki | null,
    private readonly gateway: AgentGatewayService,
    private readonly enrollment: EnrollmentService,
  ) {}

  /** The port actually bound (GRPC_PORT may be 0). */
  get port(): number {
    if (this.boundPort === null) throw new Error('the gRPC server is not listening yet');
    return this.boundPort;
  }

  /** The Enrollment port actually bound; null with GRPC_INSECURE (nothing to enroll for). */
  get enrollPort(): number | null {
    return this.boundEnrollPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, enrollPort, insecure } = this.config.grpc;
    const proto = loadPhyswatchProto();
    const gateway: AgentGatewayHandlers = {
      Connect: (call) => {
        // Said on every connection, so nobody runs a fleet this way without noticing.
        if (insecure) this.logger.warn({ peer: call.getPeer() }, 'plaintext agent connection (GRPC_INSECURE): its host identity is whatever its Hello says; development only');
        this.gateway.connect(call);
      },
    };
    const pki = this.pki;
    if (insecure || !pki) {
      this.boundPort = await this.serve(proto.AgentGateway.service, gateway, host, port, ServerCredentials.createInsecure());
      this.logger.warn({ grpcPort: this.boundPort }, 'gRPC is plaintext (GRPC_INSECURE): agents are not authenticated; development only');
      return;
    }
    this.boundPort = await this.serve(proto.AgentGateway.service, gateway, host, port, gatewayCredentials(pki));
    const enroll: EnrollmentHandlers = {
      Enroll: (call, callback) => {
        this.enrollment.enroll(call.request, call.getPeer()).then(
          (issued) => callback(null, issued),
          (err: unknown) => callback(toServiceError(err, this.logger)),
        );
      },
    };
    this.boundEnrollPort = await this.serve(proto.Enrollment.service, enroll, host, enrollPort, enrollmentCredentials(pki));
    this.logger.info({ grpcPort: this.boundPort, enrollPort: this.boundEnrollPort }, 'gRPC uses mutual TLS; enrollment uses server TLS');
  }

  private async serve(service: Parameters<Server['addService']>[0], handlers: Parameters<Server['addService']>[1], host: string, port: number, credentials: ServerCredentials): Promise<number> {
    // Keepalive pings find agents that vanished without closing their connection.
    const server = new Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 });
    server.addService(service, handlers);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(bindAddress(host, port), credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
    );
    this.servers.push(server);
    return bound;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const servers = this.servers;
    if (servers.length === 0) return;
    this.servers = [];
    await this.gateway.closeAll();
    await Promise.all(servers.map((server) => shutdown(server)));
  }
}

function shutdown(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

function toServiceError(err: unknown, logger: Logger): Partial<ServiceError> {
  if (err instanceof IdentityRefusal) return { code: err.code, details: err.message };
  logger.error({ err }, 'enrollment failed');
  return { code: status.INTERNAL, details: 'the orchestrator failed to enroll this host; retry later' };
}
