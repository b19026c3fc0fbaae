import { describe, expect, it } from 'vitest';
import { hashToken, newTokenSecret, publicPrefix } from './token-secret';

describe('token secrets', () => {
  it('makes pw_ tokens with a public part, 256 random bits, and stores only the sha256', () => {
    const a = newTokenSecret();
    const b = newTokenSecret();
    expect(a.token).toMatch(/^pw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(a.token.startsWith(`${a.prefix}_`)).toBe(true);
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.token).not.toBe(b.token);
    expect(publicPrefix(a.token)).toBe(a.prefix);
  });

  it('shows nothing of a token it did not make', () => {
    expect(publicPrefix('an-operator-chosen-secret-of-some-length')).toBe('');
    expect(publicPrefix('pw_3f9a2b1c')).toBe('');
  });
});
