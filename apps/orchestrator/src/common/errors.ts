import type { FieldError } from '@physwatch/core';

/** A resource the caller named does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';

  constructor(what: string, id: string) {
    super(`${what} ${id} does not exist`);
  }
}

/** Query parameters that cannot be used; every bad one is listed. */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';

  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.reason}`).join('; '));
  }
}

/** An agent broke the stream protocol; its stream ends with INVALID_ARGUMENT and this message. */
export class AgentProtocolError extends Error {
  override readonly name = 'AgentProtocolError';
}

/** The request carries no token this orchestrator accepts (401). */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** Too many failed authentications from the caller's address (429, with Retry-After). */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The token is known but its role may not do this (403); the message names both roles. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** A request body (other than a watch spec) that cannot be used; every bad field is listed. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';

  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.reason}`).join('; '));
  }
}
