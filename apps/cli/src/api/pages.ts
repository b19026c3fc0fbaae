/** Paged REST lists (`items` + `next_cursor`), newest first: pages followed up to a limit. */
import type { PageView } from '@physwatch/core';
import type { ApiClient } from './api-client';

/** The server's own cap on one page. */
export const MAX_PAGE = 1000;

export function fetchPage<T>(client: ApiClient, path: string, query: Record<string, string | undefined>, limit: number, cursor?: string): Promise<PageView<T>> {
  return client.get<PageView<T>>(path, { query: { ...query, limit: String(Math.min(limit, MAX_PAGE)), cursor } });
}

/** Up to `limit` items, newest first, following next_cursor across pages. */
export async function listPages<T>(client: ApiClient, path: string, query: Record<string, string | undefined>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage<T>(client, path, query, limit - items.length, cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < limit);
  return items.slice(0, limit);
}
