import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { ValidationError } from '@physwatch/core';
import type { FastifyReply } from 'fastify';
import { Logger, LOGGER } from '../config/logger';
import { ForbiddenError, InvalidQueryError, InvalidRequestError, NotFoundError, UnauthenticatedError } from './errors';

interface ErrorBody {
  error: string;
  message: string;
  errors?: Array<{ field: string; reason: string }>;
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
  if (err instanceof NotFoundError) return { status: 404, body: { error: 'not_found', message: err.message } };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return { status, body: { error: status === 404 ? 'not_found' : status < 500 ? 'bad_request' : 'internal', message: err.message } };
  }
  // Fastify's own errors (malformed JSON, body too large) carry a statusCode.
  const statusCode = (err as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: 'bad_request', message: (err as Error).message } };
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
