import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { NewAuditEntry, Repositories } from '@physwatch/db';
import type { FastifyRequest } from 'fastify';
import { requestNeedsToken } from './access';

const SECRET_KEY = /token|secret|password|passphrase|authorization|private_?key/i;
export const REDACTED = '[redacted]';

/** A copy of a request body with the value of every secret-looking key replaced. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactSecrets(v)]));
}

/** Every call under /api/v1 that is not a read is audited, whatever its outcome. */
export function isAuditedRequest(request: FastifyRequest): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method) && requestNeedsToken(request);
}

/**
 * A string from the URL as Postgres text can hold it: NUL (and a lone surrogate) become
 * U+FFFD. The JSON body parser already refuses both, but path parameters are decoded by the
 * router, and the row of a refused request must still be written.
 */
function storable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The row for this request: who (null when no token was accepted), what, from where, with what outcome. */
export function auditEntry(request: FastifyRequest, status: number, target: string | null): NewAuditEntry {
  const principal = request.principal;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = request.body === undefined || request.body === '' ? null : redactSecrets(request.body);
  return {
    tokenId: principal?.tokenId ?? null,
    tokenName: principal?.name ?? null,
    tokenRole: principal?.role ?? null,
    action: request.routeOptions?.config?.access?.action ?? 'unknown',
    target: target ?? (typeof params.id === 'string' ? storable(params.id).slice(0, 256) : null),
    sourceIp: request.ip,
    method: request.method,
    // As sent: request.url is what the router saw after request-bytes.ts escaped bad parts.
    path: request.originalUrl.split('?', 1)[0],
    requestBody: typeof body === 'string' ? { text: body.slice(0, 4096) } : body,
    status,
  };
}

/**
 * Writes the row of the request being served inside the transaction that makes its change,
 * so the change and its audit row commit together. Requests that change nothing (refused,
 * failed) are audited by the onSend hook instead.
 */
export interface AuditTrail {
  record(tx: Repositories, target: string): Promise<void>;
}

export function auditTrail(request: FastifyRequest, successStatus: number): AuditTrail {
  return {
    async record(tx, target) {
      await tx.audit.insert(auditEntry(request, successStatus, target));
      request.auditWritten = true;
    },
  };
}

/** The handler's AuditTrail, recording the status the route answers on success. */
export const Audit = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditTrail => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, ctx.getHandler()) as number | undefined;
  return auditTrail(request, declared ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK));
});
