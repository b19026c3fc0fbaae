import { HttpException, NotFoundException } from '@nestjs/common';
import { ValidationError } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidQueryError, InvalidRequestError, NotFoundError, RateLimitedError, UnauthenticatedError } from './errors';
import { toHttpError } from './http-error.filter';

describe('toHttpError', () => {
  it('maps each typed error to its status and body', () => {
    expect(toHttpError(new ValidationError([{ field: 'width', reason: 'bad' }]))).toEqual({
      status: 400,
      body: { error: 'invalid_watch_spec', message: 'width: bad', errors: [{ field: 'width', reason: 'bad' }] },
    });
    expect(toHttpError(new InvalidQueryError([{ field: 'limit', reason: 'bad' }])).body).toMatchObject({ error: 'invalid_query', errors: [{ field: 'limit' }] });
    expect(toHttpError(new NotFoundError('watch', '9'))).toEqual({ status: 404, body: { error: 'not_found', message: 'watch 9 does not exist' } });
    expect(toHttpError(new InvalidRequestError([{ field: 'role', reason: 'bad' }])).body).toMatchObject({ error: 'invalid_request', errors: [{ field: 'role' }] });
    expect(toHttpError(new UnauthenticatedError('unknown or revoked token'))).toEqual({ status: 401, body: { error: 'unauthenticated', message: 'unknown or revoked token' } });
    expect(toHttpError(new ForbiddenError('x needs role admin'))).toEqual({ status: 403, body: { error: 'forbidden', message: 'x needs role admin' } });
    expect(toHttpError(new NotFoundException('Cannot GET /x')).status).toBe(404);
    expect(toHttpError(Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 })).status).toBe(400);
    expect(toHttpError(new RateLimitedError('too many failed authentications from 10.0.0.7', 9))).toEqual({
      status: 429,
      body: { error: 'too_many_requests', message: 'too many failed authentications from 10.0.0.7' },
    });
  });

  it('names the limits of Fastify\'s errors, however Nest wraps them', () => {
    expect(toHttpError(new HttpException('Request body is too large', 413)).body).toEqual({ error: 'body_too_large', message: 'the request body is larger than 2097152 bytes' });
    expect(toHttpError(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 })).body.error).toBe('unsupported_media_type');
    expect(toHttpError(Object.assign(new Error('Forbidden'), { statusCode: 403 })).body).toEqual({ error: 'forbidden', message: 'Forbidden' });
  });

  it('hides the details of anything unexpected behind a 500', () => {
    expect(toHttpError(new Error('password=hunter2'))).toEqual({ status: 500, body: { error: 'internal', message: 'internal error; see the orchestrator log' } });
  });
});
