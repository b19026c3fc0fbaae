/**
 * What GET /events streams: what changed, never the data itself (the dashboard refetches
 * what it shows). Ids are lists, or null for "too many to name".
 */
export type LiveEvent =
  | { kind: 'hits'; count: number; watch_ids: string[] | null; host_ids: string[] | null }
  | { kind: 'watch'; watch_ids: string[] | null }
  | { kind: 'host'; host_ids: string[] | null }
  /** The server may have missed changes (its LISTEN connection was lost): refetch everything. */
  | { kind: 'resync' };
