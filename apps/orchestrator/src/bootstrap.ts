import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Database } from '@physwatch/db';
import type { FastifyInstance } from 'fastify';
import { AgentGrpcServer } from './agents/agent-grpc.server';
import { AppModule } from './app.module';
import { installAuthHooks } from './auth/auth-hooks';
import { HttpErrorFilter } from './common/http-error.filter';
import { httpServerOptions } from './common/http-server';
import { installJsonBody } from './common/json-body';
import { installRequestChecks } from './common/request-bytes';
import { installSecurityHeaders } from './common/security-headers';
import type { OrchestratorConfig } from './config/config';
import { lifecycleLogger, Logger, NestPinoLogger } from './config/logger';
import { installApiPool } from './database/api-pool';
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
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), new FastifyAdapter(httpServerOptions(config, logger)), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
    // json-body.ts is the one body parser.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  app.useGlobalFilters(new HttpErrorFilter(logger));
  installJsonBody(fastify);
  installApiPool(fastify, app.get(Database));
  // onRequest hooks run in this order: headers on every answer, then the token, then the bytes.
  installSecurityHeaders(fastify);
  installAuthHooks(app, logger, config.httpGuard);
  installRequestChecks(fastify);
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
