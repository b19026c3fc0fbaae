import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('reconnect backoff', () => {
  it('doubles up to the cap, jittered within the upper half, and starts over on reset', () => {
    const low = new Backoff(100, 1000, () => 0);
    const high = new Backoff(100, 1000, () => 1);
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    low.reset();
    expect(low.next()).toBe(50);
  });
});
