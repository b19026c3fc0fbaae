import { describe, expect, it } from 'vitest';
import { SeqQueue } from './seq-queue';

describe('SeqQueue', () => {
  it('pages after a seq, drops acked prefixes and stays correct after reclaiming them', () => {
    const queue = new SeqQueue<number>();
    for (let seq = 1; seq <= 5000; seq++) queue.push({ seq: BigInt(seq), value: seq, bytes: 1 });
    expect(queue.after(0n, 3).map((e) => e.value)).toEqual([1, 2, 3]);
    expect(queue.after(4998n, 10).map((e) => e.value)).toEqual([4999, 5000]);
    expect(queue.dropUpTo(3000n)).toHaveLength(3000); // past the reclaim threshold
    expect(queue.size).toBe(2000);
    expect(queue.after(0n, 2).map((e) => e.value)).toEqual([3001, 3002]);
    expect(queue.dropUpTo(3000n)).toEqual([]);
    queue.push({ seq: 5001n, value: 5001, bytes: 1 });
    expect([...queue].map((e) => e.value).slice(-2)).toEqual([5000, 5001]);
  });
});
