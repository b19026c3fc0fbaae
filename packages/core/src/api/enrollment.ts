/** GET /enrollment-tokens: an enrollment token, never its secret nor its hash. */
export interface EnrollmentTokenView {
  id: string;
  name: string;
  /** The public part of the token ("pwe_3f9a2b1c"). */
  prefix: string;
  /** Operator labels every host enrolled with it gets. */
  labels: Record<string, string>;
  max_uses: number;
  uses: number;
  expires_at: string;
  created_by_token_id: string | null;
  created_at: string;
  revoked_at: string | null;
  /** active, or why it enrolls no more hosts. */
  state: 'active' | 'expired' | 'used_up' | 'revoked';
}

/** POST /enrollment-tokens: the token with its secret, shown this once. */
export type NewEnrollmentTokenView = EnrollmentTokenView & { token: string };

/** POST /hosts/:id/revoke: the host can no longer connect or renew until it enrolls again. */
export interface HostRevocationView {
  host_id: string;
  revoked_at: string;
  certificates_revoked: number;
  enrolled_at: string;
}
