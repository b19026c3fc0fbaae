import { createHash, randomBytes } from 'node:crypto';

/** Every token this orchestrator makes starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'pw_';
const SHAPE = /^pw_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$/;

export interface NewTokenSecret {
  /** Shown once, to whoever created it; never stored. */
  token: string;
  /** The public part shown in lists, e.g. "pw_3f9a2b1c". */
  prefix: string;
  hash: string;
}

/** `pw_<8 hex public id>_<32 random bytes, base64url>`; enrollment tokens start with `pwe_` instead. */
export function newTokenSecret(kind: string = TOKEN_PREFIX): NewTokenSecret {
  const prefix = `${kind}${randomBytes(4).toString('hex')}`;
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, prefix, hash: hashToken(token) };
}

/**
 * sha256, not a slow KDF (bcrypt, scrypt, argon2): those protect low-entropy passwords from
 * guessing after a database leak. Our tokens carry 256 random bits (and the bootstrap token at
 * least 24 characters an operator chose randomly), so no guessing is feasible whatever the
 * hash speed, and a fast hash lets every request be checked with one indexed lookup.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The public part of a token this orchestrator made; '' for any other (the bootstrap token's own text is not shown). */
export function publicPrefix(token: string): string {
  const match = SHAPE.exec(token);
  return match ? `${TOKEN_PREFIX}${match[1]}` : '';
}
