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
