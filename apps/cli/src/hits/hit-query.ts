/** GET /api/v1/hits, newest first: one page, or pages followed by cursor up to a limit. */
import type { ApiClient } from '../api/api-client';
import type { HitJson, Page } from '../api/types';

/** The server's own cap on one page. */
export const MAX_PAGE = 1000;

export interface HitFilter {
  watch_id?: string;
  host_id?: string;
  since?: string;
  until?: string;
}

export function fetchHitPage(client: ApiClient, filter: HitFilter, limit: number, cursor?: string): Promise<Page<HitJson>> {
  return client.get<Page<HitJson>>('/api/v1/hits', { query: { ...filter, limit: String(Math.min(limit, MAX_PAGE)), cursor } });
}

/** Up to `limit` hits, newest first, following next_cursor across pages. */
export async function listHits(client: ApiClient, filter: HitFilter, limit: number): Promise<HitJson[]> {
  const hits: HitJson[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchHitPage(client, filter, limit - hits.length, cursor);
    hits.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && hits.length < limit);
  return hits.slice(0, limit);
}
