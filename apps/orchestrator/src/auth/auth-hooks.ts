/**
 * The Fastify side of auth, around Nest's guard:
 * - onRequest: every request under /api/v1 (but the OpenAPI document) is identified by its
 *   token before its body is read; no token or an unknown one is answered 401 here.
 * - onSend: every change (a non-GET under /api/v1) not already audited in its own
 *   transaction gets its audit row now, with the status it is answered with: refusals
 *   (401/403/400/404) included. If that row cannot be written the answer becomes a 500.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Database } from '@physwatch/db';
import type { FastifyInstance } from 'fastify';
import { toHttpError } from '../common/http-error.filter';
import type { Logger } from '../config/logger';
import { requestNeedsToken } from './access';
import { auditEntry, isAuditedRequest } from './audit-entry';
import { TokensService } from './tokens.service';

const AUDIT_FAILED = JSON.stringify({ error: 'internal', message: 'the audit log could not be written, so the request is refused; see the orchestrator log' });

export function installAuthHooks(app: NestFastifyApplication, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const tokens = app.get(TokensService);
  const db = app.get(Database);

  fastify.addHook('onRequest', async (request, reply) => {
    if (!requestNeedsToken(request)) return;
    try {
      request.principal = await tokens.authenticate(request.headers.authorization);
    } catch (err) {
      const { status, body } = toHttpError(err);
      if (status >= 500) logger.error({ err }, 'token check failed');
      return reply.code(status).send(body);
    }
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!isAuditedRequest(request)) return payload;
    // Written with the change; a failure after it (status >= 400) is recorded as well.
    if (request.auditWritten && reply.statusCode < 400) return payload;
    try {
      await db.audit.insert(auditEntry(request, reply.statusCode, null));
      return payload;
    } catch (err) {
      logger.error({ err, method: request.method, url: request.url, status: reply.statusCode }, 'audit log write failed; answering 500');
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return AUDIT_FAILED;
    }
  });
}
