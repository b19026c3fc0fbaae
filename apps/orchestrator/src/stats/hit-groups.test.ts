import { describe, expect, it } from 'vitest';
import { groupHits } from './hit-groups';

const host = (hostId: string, value: string | null, hits: number) => ({ hostId, value, hits, lastHitAt: null });

describe('groupHits', () => {
  it('puts the group whose hosts are hit most often first, with its rate and hits per host', () => {
    const groups = groupHits([host('a', '1.0', 0), host('b', '1.0', 4), host('c', '2.0', 6), host('d', '2.0', 2), host('e', null, 0), host('f', '1.0', 0)]);
    expect(groups).toEqual([
      { value: '2.0', hosts: 2, hit_hosts: 2, hits: 8, hit_rate: 1, hits_per_host: 4 },
      { value: '1.0', hosts: 3, hit_hosts: 1, hits: 4, hit_rate: 1 / 3, hits_per_host: 4 / 3 },
      { value: null, hosts: 1, hit_hosts: 0, hits: 0, hit_rate: 0, hits_per_host: 0 },
    ]);
  });

  it('has no group for a watch placed nowhere', () => {
    expect(groupHits([])).toEqual([]);
  });
});
