/** Time ranges the charts offer, each with a bucket that gives a readable number of bars. */
export const RANGES = [
  { id: '1h', label: '1 hour', ms: 3_600_000, bucket: '1m' },
  { id: '24h', label: '24 hours', ms: 86_400_000, bucket: '1h' },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000, bucket: '6h' },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000, bucket: '1d' },
] as const;

export type RangeId = (typeof RANGES)[number]['id'];

export function rangeQuery(id: string | null, now = Date.now()): { since: string; until: string; bucket: string; id: RangeId } {
  const range = RANGES.find((r) => r.id === id) ?? RANGES[1];
  return { since: new Date(now - range.ms).toISOString(), until: new Date(now).toISOString(), bucket: range.bucket, id: range.id };
}
