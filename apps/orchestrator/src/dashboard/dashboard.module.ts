import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, LOGGER } from '../config/logger';
import { EventsModule } from '../events/events.module';
import { StatsModule } from '../stats/stats.module';
import { DASHBOARD_DIST, openDashboardFile, resolveDashboardPath } from './dashboard-files';

/**
 * Serves the built dashboard (apps/dashboard/dist) at `/`, with index.html for its client
 * routes. Plain Fastify routes rather than a Nest controller: the page and its assets load
 * before anyone has signed in, while every /api/v1 call carries the token.
 */
@Injectable()
class DashboardRoutes implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost, @Inject(LOGGER) private readonly logger: Logger) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const handler = (req: FastifyRequest, reply: FastifyReply) => {
      const answer = resolveDashboardPath(req.url);
      if (answer.kind === 'reserved') {
        return reply.status(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
      }
      if (answer.kind === 'missing') {
        return reply.status(404).send({ error: 'not_found', message: `no dashboard file ${req.url.split('?')[0]} (is the dashboard built? npm run build)` });
      }
      return reply.type(answer.type).header('cache-control', answer.cache).send(openDashboardFile(answer.file));
    };
    fastify.get('/', handler);
    fastify.get('/*', handler);
    if (resolveDashboardPath('/').kind === 'missing') {
      this.logger.warn({ dir: DASHBOARD_DIST }, 'dashboard not built: / answers 404 until `npm run build` builds apps/dashboard');
    }
  }
}

/** The dashboard: its pages, the aggregates they read and their live updates. */
@Module({ imports: [StatsModule, EventsModule], providers: [DashboardRoutes] })
export class DashboardModule {}
