/**
 * The Fastify side of auth, around Nest's guard:
 * - onRequest: every request under /api/v1 (but the OpenAPI document) is identified by its
 *   token before its body is read; no token or an unknown one is answered 401 here, logged
 *   (warn, with the source address) and counted against that address: past
 *   AUTH_FAILURE_LIMIT failures in AUTH_FAILURE_WINDOW_MS it is answered 429 until the
 *   window ends, whatever token it sends (see AuthFailureLimiter).
 * - onSend: every change (a non-GET under /api/v1) not already audited in its own
 *   transaction gets its audit row now, with the status it is answered with: refusals
 *   (401/403/400/404) included, 429s not (so the audit log grows by at most the limit per
 *   source and window). If that row cannot be written the answer becomes a 500.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Database } from '@physwatch/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../common/errors';
import { toHttpError } from '../common/http-error.filter';
import { isCutOff } from '../common/http-server';
import type { OrchestratorConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { MetricsService } from '../metrics/metrics.service';
import { requestNeedsToken } from './access';
import { auditEntry, isAuditedRequest } from './audit-entry';
import { AuthFailureLimiter } from './auth-failures';
import { TokensService } from './tokens.service';

const AUDIT_FAILED = JSON.stringify({ error: 'internal', message: 'the audit log could not be written, so the request is refused; see the orchestrator log' });

export function installAuthHooks(app: NestFastifyApplication, logger: Logger, guard: OrchestratorConfig['httpGuard']): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const tokens = app.get(TokensService);
  const db = app.get(Database);
  const metrics = app.get(MetricsService);
  const limiter = new AuthFailureLimiter(guard.authFailureLimit, guard.authFailureWindowMs);
  const rateLimited = new WeakSet<FastifyRequest>();

  fastify.addHook('onRequest', async (request, reply) => {
    if (!requestNeedsToken(request)) return;
    const sourceIp = request.ip;
    const waitMs = limiter.blockedFor(sourceIp);
    if (waitMs !== null) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      const { status, body } = toHttpError(
        new RateLimitedError(`too many failed authentications from ${sourceIp} (${limiter.limit} in ${limiter.windowMs} ms); retry after ${seconds} s`, seconds),
      );
      rateLimited.add(request);
      metrics.authRefused.inc({ outcome: 'rate_limited' });
      return reply.code(status).header('retry-after', String(seconds)).send(body);
    }
    try {
      request.principal = await tokens.authenticate(request.headers.authorization);
    } catch (err) {
      const { status, body } = toHttpError(err);
      if (status >= 500) logger.error({ err }, 'token check failed');
      if (status === 401) {
        metrics.authRefused.inc({ outcome: 'unauthenticated' });
        const reachedLimit = limiter.recordFailure(sourceIp);
        logger.warn({ sourceIp, method: request.method, path: request.originalUrl.split('?', 1)[0], reason: body.message }, 'authentication failed');
        if (reachedLimit) {
          logger.warn({ sourceIp, limit: limiter.limit, windowMs: limiter.windowMs }, 'failed authentications reached the limit: this source is answered 429 until its window ends');
        }
      }
      return reply.code(status).send(body);
    }
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!isAuditedRequest(request) || rateLimited.has(request)) return payload;
    // Written with the change; a failure after it (status >= 400) is recorded as well.
    if (request.auditWritten && reply.statusCode < 400) return payload;
    try {
      await db.audit.insert(auditEntry(request, isCutOff(request.raw) ? 408 : reply.statusCode, null));
      return payload;
    } catch (err) {
      logger.error({ err, method: request.method, url: request.url, status: reply.statusCode }, 'audit log write failed; answering 500');
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return AUDIT_FAILED;
    }
  });
}
