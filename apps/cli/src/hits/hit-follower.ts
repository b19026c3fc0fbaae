/**
 * `hits tail`: which of the newest hits have not been shown yet. Hit ids grow in the order
 * the server stores them (the API lists newest id first), so "new" is an id above what was
 * already shown. Ids are taken when a hit is inserted but become visible when its
 * transaction commits, so a hit can appear just below one already shown: the follower
 * keeps looking one poll back and remembers what it printed, so each hit is shown once.
 */
import type { HitView, PageView } from '@physwatch/core';

export type PageFetcher = (cursor?: string) => Promise<PageView<HitView>>;

export class HitFollower {
  /** Hits at or below this id were shown, or were there before the tail started. */
  private floor = 0n;
  /** The highest id known at the end of the last poll: the next poll's floor. */
  private lastMax = 0n;
  private readonly shown = new Set<string>();

  constructor(private readonly fetchPage: PageFetcher) {}

  /** Marks everything stored so far as old: tail shows what happens from now on. */
  async start(): Promise<void> {
    const page = await this.fetchPage();
    this.floor = this.lastMax = maxId(page.items, 0n);
  }

  /** New hits since the last poll, oldest first. */
  async poll(): Promise<HitView[]> {
    const fresh: HitView[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.fetchPage(cursor);
      for (const hit of page.items) if (BigInt(hit.id) > this.floor && !this.shown.has(hit.id)) fresh.push(hit);
      const reachedFloor = page.items.some((hit) => BigInt(hit.id) <= this.floor);
      cursor = page.next_cursor ?? undefined;
      if (reachedFloor || !cursor) break;
    }
    fresh.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const hit of fresh) this.shown.add(hit.id);
    this.floor = this.lastMax > this.floor ? this.lastMax : this.floor;
    this.lastMax = maxId(fresh, this.lastMax);
    for (const id of this.shown) if (BigInt(id) <= this.floor) this.shown.delete(id);
    return fresh;
  }
}

function maxId(hits: readonly HitView[], start: bigint): bigint {
  return hits.reduce((max, hit) => (BigInt(hit.id) > max ? BigInt(hit.id) : max), start);
}
