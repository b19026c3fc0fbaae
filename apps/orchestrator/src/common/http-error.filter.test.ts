import { NotFoundException } from '@nestjs/common';
import { ValidationError } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidQueryError, InvalidRequestError, NotFoundError, UnauthenticatedError } from './errors';
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
  });

  it('hides the details of anything unexpected behind a 500', () => {
    expect(toHttpError(new Error('password=hunter2'))).toEqual({ status: 500, body: { error: 'internal', message: 'internal error; see the orchestrator log' } });
  });
});
