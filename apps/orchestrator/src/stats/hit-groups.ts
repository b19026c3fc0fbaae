import type { HitGroupView } from '@physwatch/core';
import type { WatchHostHits } from '@physwatch/db';

/**
 * Hosts of a watch grouped by one label, worst first: the group whose hosts are hit most
 * often is where the culprit (a BIOS, a firmware, a platform) most likely lives.
 */
export function groupHits(hosts: readonly WatchHostHits[]): HitGroupView[] {
  const groups = new Map<string | null, { hosts: number; hit_hosts: number; hits: number }>();
  for (const h of hosts) {
    const g = groups.get(h.value) ?? { hosts: 0, hit_hosts: 0, hits: 0 };
    g.hosts += 1;
    g.hits += h.hits;
    if (h.hits > 0) g.hit_hosts += 1;
    groups.set(h.value, g);
  }
  return [...groups.entries()]
    .map(([value, g]) => ({ value, ...g, hit_rate: g.hit_hosts / g.hosts, hits_per_host: g.hits / g.hosts }))
    .sort((a, b) => b.hit_rate - a.hit_rate || b.hits_per_host - a.hits_per_host || String(a.value ?? '\uffff').localeCompare(String(b.value ?? '\uffff')));
}
