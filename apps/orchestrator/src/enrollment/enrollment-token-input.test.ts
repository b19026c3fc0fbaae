import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../common/errors';
import { parseExpiresIn, readNewEnrollmentToken } from './enrollment-token-input';

function errorsOf(body: unknown): Array<{ field: string; reason: string }> {
  try {
    readNewEnrollmentToken(body);
  } catch (err) {
    if (err instanceof InvalidRequestError) return err.errors;
    throw err;
  }
  throw new Error('expected InvalidRequestError');
}

describe('POST /enrollment-tokens body', () => {
  it('fills expires_in 24h and max_uses 1, and keeps labels a selector can name', () => {
    expect(readNewEnrollmentToken({ name: ' rack-12 ', labels: { env: 'prod', 'pool.db/x': 'a-1' } })).toEqual({
      name: 'rack-12',
      expiresInMs: 86_400_000,
      maxUses: 1,
      labels: { env: 'prod', 'pool.db/x': 'a-1' },
    });
  });

  it('names every bad field in one error', () => {
    const fields = errorsOf({ name: '', expires_in: '2w', max_uses: 0, labels: { '-bad': 'x', ok: 'a b', empty: '' }, colour: 'blue' }).map((e) => e.field);
    expect(fields.sort()).toEqual(['colour', 'expires_in', 'labels.-bad', 'labels.empty', 'labels.ok', 'max_uses', 'name']);
    expect(errorsOf([])).toEqual([{ field: '(body)', reason: expect.stringContaining('JSON object') }]);
    expect(errorsOf({ name: 'x', labels: ['env=prod'] })).toEqual([{ field: 'labels', reason: expect.stringContaining('object of label key') }]);
  });

  it('reads expires_in from 1s to 366d', () => {
    expect([parseExpiresIn('1s'), parseExpiresIn('90m'), parseExpiresIn('24h'), parseExpiresIn('366d')]).toEqual([1_000, 5_400_000, 86_400_000, 31_622_400_000]);
    expect([parseExpiresIn('0s'), parseExpiresIn('367d'), parseExpiresIn('1w'), parseExpiresIn('1.5h'), parseExpiresIn('')]).toEqual([null, null, null, null, null]);
  });
});
