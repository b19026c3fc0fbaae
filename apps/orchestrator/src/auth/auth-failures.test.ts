import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter, MAX_TRACKED_SOURCES } from './auth-failures';

describe('AuthFailureLimiter', () => {
  it('blocks a source once it reaches the limit within its window, until the window ends; others are unaffected', () => {
    let now = 1_000;
    const limiter = new AuthFailureLimiter(3, 60_000, () => now);
    expect([limiter.recordFailure('a'), limiter.recordFailure('a')]).toEqual([false, false]);
    expect(limiter.blockedFor('a')).toBeNull();
    now += 10_000;
    expect(limiter.recordFailure('a')).toBe(true);
    expect(limiter.blockedFor('a')).toBe(50_000);
    expect(limiter.blockedFor('b')).toBeNull();
    now += 49_999;
    expect(limiter.blockedFor('a')).toBe(1);
    now += 1;
    expect(limiter.blockedFor('a')).toBeNull();
    expect(limiter.recordFailure('a')).toBe(false);
  });

  it(`tracks at most ${MAX_TRACKED_SOURCES} sources, forgetting the oldest window first`, () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(1, 1e9, () => now);
    for (let i = 0; i < MAX_TRACKED_SOURCES + 10; i++) {
      now++;
      limiter.recordFailure(`s${i}`);
    }
    expect(limiter.trackedSources).toBe(MAX_TRACKED_SOURCES);
    expect(limiter.blockedFor('s0')).toBeNull();
    expect(limiter.blockedFor(`s${MAX_TRACKED_SOURCES + 9}`)).not.toBeNull();
  });
});
