import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Database } from '@physwatch/db';
import type { FastifyReply } from 'fastify';
import { JobsService } from '../jobs/jobs.service';

const CHECK_TIMEOUT_MS = 2000;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobsService,
  ) {}

  /** The process is up. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Postgres and Redis both answer; otherwise 503 naming the ones that do not. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const checks = { postgres: () => this.db.ping(), redis: () => this.jobs.ping() };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await within(check(), CHECK_TIMEOUT_MS);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, (err as Error).message || 'down'] as const;
        }
      }),
    );
    const down = results.filter(([, result]) => result !== 'ok').map(([name]) => name);
    const body = { status: down.length === 0 ? 'ready' : 'unavailable', down, checks: Object.fromEntries(results) };
    await reply.status(down.length === 0 ? 200 : 503).send(body);
  }
}
