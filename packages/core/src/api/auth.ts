import type { Role } from '../roles';

/** GET /tokens: an API token, never its secret nor its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: Role;
  /** The public part of the token ("pw_3f9a2b1c"); '' for the bootstrap token. */
  prefix: string;
  bootstrap: boolean;
  created_by_token_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** POST /tokens: the token with its secret, shown this once. */
export type NewTokenView = TokenView & { token: string };

/** GET /audit: one change, or one refused attempt at a change. */
export interface AuditEntryView {
  id: string;
  at: string;
  token_id: string | null;
  token_name: string | null;
  token_role: string | null;
  action: string;
  target: string | null;
  source_ip: string;
  method: string;
  path: string;
  request_body: unknown;
  status: number;
}
