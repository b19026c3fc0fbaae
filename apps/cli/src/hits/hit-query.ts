/** GET /api/v1/hits, newest first: one page, or pages followed by cursor up to a limit. */
import type { HitView, PageView } from '@physwatch/core';
import type { ApiClient } from '../api/api-client';
import { fetchPage, listPages } from '../api/pages';

export interface HitFilter {
  watch_id?: string;
  host_id?: string;
  /** cpu, no_cpu_via_kernel_map or unknown; the server names any other. */
  writer?: string;
  since?: string;
  until?: string;
}

export function fetchHitPage(client: ApiClient, filter: HitFilter, limit: number, cursor?: string): Promise<PageView<HitView>> {
  return fetchPage<HitView>(client, '/api/v1/hits', { ...filter }, limit, cursor);
}

/** Up to `limit` hits, newest first, following next_cursor across pages. */
export function listHits(client: ApiClient, filter: HitFilter, limit: number): Promise<HitView[]> {
  return listPages<HitView>(client, '/api/v1/hits', { ...filter }, limit);
}
