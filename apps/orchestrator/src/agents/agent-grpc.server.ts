import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Server } from '@grpc/grpc-js';
import { AgentGatewayHandlers, loadPhyswatchProto } from '@physwatch/proto';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { AgentGatewayService } from './agent-gateway.service';
import { bindAddress, serverCredentials } from './grpc-credentials';

const SHUTDOWN_GRACE_MS = 5000;

/**
 * A plain grpc-js server (not @nestjs/microservices, which buffers outgoing stream
 * messages without bound) serving AgentGateway, owned by Nest for its lifecycle.
 */
@Injectable()
export class AgentGrpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server: Server | null = null;
  private boundPort: number | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly gateway: AgentGatewayService,
  ) {}

  /** The port actually bound (GRPC_PORT may be 0). */
  get port(): number {
    if (this.boundPort === null) throw new Error('the gRPC server is not listening yet');
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, tls } = this.config.grpc;
    // Keepalive pings find agents that vanished without closing their connection.
    const server = new Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 });
    const handlers: AgentGatewayHandlers = { Connect: (call) => this.gateway.connect(call) };
    server.addService(loadPhyswatchProto().AgentGateway.service, handlers);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(bindAddress(host, port), serverCredentials(tls), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    this.server = server;
    if (!tls) this.logger.warn({ grpcPort: this.boundPort }, 'gRPC is plaintext: set GRPC_TLS_CERT and GRPC_TLS_KEY (and GRPC_TLS_CA for mTLS)');
    else this.logger.info({ grpcPort: this.boundPort, mtls: tls.caPath !== null }, 'gRPC uses TLS');
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await this.gateway.closeAll();
    await new Promise<void>((resolve) => {
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
}
