import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { ValidationError } from '@physwatch/core';
import type { FastifyReply } from 'fastify';
import { Logger, LOGGER } from '../config/logger';
import { ForbiddenError, InvalidQueryError, InvalidRequestError, NotFoundError, RateLimitedError, UnauthenticatedError } from './errors';
import { BODY_LIMIT_BYTES } from './json-body';

interface ErrorBody {
  error: string;
  message: string;
  errors?: Array<{ field: string; reason: string }>;
}

function clientErrorName(status: number): string {
  return status === 404 ? 'not_found' : status === 403 ? 'forbidden' : 'bad_request';
}

/** The one place typed errors become HTTP answers. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ValidationError) {
    return { status: 400, body: { error: 'invalid_watch_spec', message: err.message, errors: err.errors } };
  }
  if (err instanceof InvalidQueryError) {
    return { status: 400, body: { error: 'invalid_query', message: err.message, errors: err.errors } };
  }
  if (err instanceof InvalidRequestError) {
    return { status: 400, body: { error: 'invalid_request', message: err.message, errors: err.errors } };
  }
  if (err instanceof UnauthenticatedError) return { status: 401, body: { error: 'unauthenticated', message: err.message } };
  if (err instanceof ForbiddenError) return { status: 403, body: { error: 'forbidden', message: err.message } };
  if (err instanceof RateLimitedError) return { status: 429, body: { error: 'too_many_requests', message: err.message } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: 'not_found', message: err.message } };
  // Fastify's own errors (body too large, content type, malformed upload) carry a statusCode;
  // Nest hands them over as an HttpException of that status.
  const statusCode = err instanceof HttpException ? err.getStatus() : (err as { statusCode?: unknown })?.statusCode;
  if (statusCode === 413) return { status: 413, body: { error: 'body_too_large', message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes` } };
  if (statusCode === 415) {
    return { status: 415, body: { error: 'unsupported_media_type', message: 'a request body must be sent as content-type: application/json' } };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return { status, body: { error: status < 500 ? clientErrorName(status) : 'internal', message: err.message } };
  }
  // @fastify/static's errors (e.g. a path out of /docs) carry a statusCode too.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: clientErrorName(statusCode), message: (err as Error).message } };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error; see the orchestrator log' } };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const { status, body } = toHttpError(err);
    if (status >= 500) this.logger.error({ err }, 'request failed');
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(body);
  }
}
