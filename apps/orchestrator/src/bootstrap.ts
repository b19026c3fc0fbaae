import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AgentGrpcServer } from './agents/agent-grpc.server';
import { AppModule } from './app.module';
import { installAuthHooks } from './auth/auth-hooks';
import { HttpErrorFilter } from './common/http-error.filter';
import type { OrchestratorConfig } from './config/config';
import { lifecycleLogger, Logger, NestPinoLogger } from './config/logger';
import { setupOpenApi } from './openapi';

export interface RunningOrchestrator {
  app: NestFastifyApplication;
  httpPort: number;
  grpcPort: number;
  /** Stops accepting, ends agent streams, closes the pool and Redis. */
  close(): Promise<void>;
}

/** Builds and starts the whole orchestrator; main.ts and the integration tests both use it. */
export async function startOrchestrator(config: OrchestratorConfig, logger: Logger): Promise<RunningOrchestrator> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), new FastifyAdapter({ trustProxy: config.trustProxy }), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new HttpErrorFilter(logger));
  installAuthHooks(app, logger);
  setupOpenApi(app);
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = app.get(AgentGrpcServer).port;
  lifecycleLogger(logger).info({ httpPort, grpcPort }, 'orchestrator ready');
  return { app, httpPort, grpcPort, close: () => app.close() };
}
