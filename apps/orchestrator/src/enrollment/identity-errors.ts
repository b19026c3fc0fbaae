import { status } from '@grpc/grpc-js';

/**
 * An agent the orchestrator will not serve (bad enrollment token, a certificate it did not
 * issue or that was revoked, a Hello naming another host): the call or stream ends with
 * `code` and this message, and the refusal is audited.
 */
export class IdentityRefusal extends Error {
  override readonly name = 'IdentityRefusal';

  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status recorded in the audit log for a gRPC outcome. */
export function auditStatus(code: status): number {
  switch (code) {
    case status.OK:
      return 201;
    case status.INVALID_ARGUMENT:
      return 400;
    case status.UNAUTHENTICATED:
      return 401;
    case status.PERMISSION_DENIED:
      return 403;
    case status.ALREADY_EXISTS:
    case status.FAILED_PRECONDITION:
      return 409;
    case status.RESOURCE_EXHAUSTED:
      return 429;
    default:
      return 500;
  }
}
