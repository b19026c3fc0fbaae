import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/api-client';
import { listHits } from './hit-query';

/** A fetch that serves `total` hits newest first, honouring limit and cursor like the API. */
function hitsFetch(total: number, urls: URL[]): typeof fetch {
  return (async (input: URL) => {
    urls.push(input);
    const limit = Number(input.searchParams.get('limit'));
    const below = Number(input.searchParams.get('cursor') ?? total + 1);
    const ids = Array.from({ length: total }, (_, i) => total - i).filter((id) => id < below);
    const items = ids.slice(0, limit).map((id) => ({ id: String(id) }));
    const next = ids.length > limit ? String(items[items.length - 1].id) : null;
    return new Response(JSON.stringify({ items, next_cursor: next }), { status: 200 });
  }) as unknown as typeof fetch;
}

describe('listHits', () => {
  const config = { server: 'http://x', serverSource: 'test', token: null, tokenSource: null };

  it('follows next_cursor until --limit, asking for no more than it needs', async () => {
    const urls: URL[] = [];
    const hits = await listHits(new ApiClient(config, hitsFetch(2500, urls)), { watch_id: '4' }, 2100);
    expect(hits).toHaveLength(2100);
    expect(hits[0].id).toBe('2500');
    expect(hits[2099].id).toBe('401');
    expect(urls.map((u) => [u.searchParams.get('limit'), u.searchParams.get('cursor'), u.searchParams.get('watch_id')])).toEqual([
      ['1000', null, '4'],
      ['1000', '1501', '4'],
      ['100', '501', '4'],
    ]);
  });

  it('stops at the last page', async () => {
    const urls: URL[] = [];
    expect(await listHits(new ApiClient(config, hitsFetch(5, urls)), {}, 100)).toHaveLength(5);
    expect(urls).toHaveLength(1);
  });
});
