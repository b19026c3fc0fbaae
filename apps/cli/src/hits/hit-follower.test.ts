import { describe, expect, it } from 'vitest';
import type { HitView, PageView } from '@physwatch/core';
import { HitFollower } from './hit-follower';

const hit = (id: number): HitView =>
  ({
    id: String(id), host_id: 'h', boot_id: 'b', seq: String(id), module_seq: null, source: 'agent', watch_id: '1', occurred_at: 't', realtime_ns: '0', boottime_ns: '0',
    last_old_boottime_ns: null, bracket_ns: null,
    cpu: 0, paddr: '0x0', offset: 0, width: 1, old_value: '0x0', new_value: '0x1', pid: 0, comm: '', ip: '', stack: [], action: 'report', writer: null, writer_reason: null, smi_count: null, received_at: 't',
  });

/** The API as the follower sees it: visible ids, newest first, pages of `size` with a cursor. */
function fakeApi(size: number) {
  const visible = new Set<number>();
  const requests: Array<string | undefined> = [];
  const fetch = async (cursor?: string): Promise<PageView<HitView>> => {
    requests.push(cursor);
    const below = cursor === undefined ? Infinity : Number(cursor);
    const ids = [...visible].filter((id) => id < below).sort((a, b) => b - a);
    const items = ids.slice(0, size).map(hit);
    return { items, next_cursor: ids.length > size ? String(items[items.length - 1].id) : null };
  };
  return { visible, requests, fetch };
}

const ids = (hits: HitView[]) => hits.map((h) => Number(h.id));

describe('HitFollower', () => {
  it('shows nothing stored before it started, then each new hit once, oldest first', async () => {
    const api = fakeApi(100);
    [1, 2, 3].forEach((id) => api.visible.add(id));
    const follower = new HitFollower(api.fetch);
    await follower.start();
    expect(await follower.poll()).toEqual([]);
    api.visible.add(4);
    api.visible.add(5);
    expect(ids(await follower.poll())).toEqual([4, 5]);
    expect(await follower.poll()).toEqual([]);
    api.visible.add(6);
    expect(ids(await follower.poll())).toEqual([6]);
  });

  it('follows cursors when more arrived than one page holds', async () => {
    const api = fakeApi(3);
    api.visible.add(1);
    const follower = new HitFollower(api.fetch);
    await follower.start();
    for (let id = 2; id <= 9; id++) api.visible.add(id);
    expect(ids(await follower.poll())).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('still shows a hit whose lower id became visible one poll late, and never shows one twice', async () => {
    const api = fakeApi(100);
    const follower = new HitFollower(api.fetch);
    await follower.start();
    api.visible.add(2); // id 1 is taken by a transaction not committed yet
    expect(ids(await follower.poll())).toEqual([2]);
    api.visible.add(1);
    api.visible.add(3);
    expect(ids(await follower.poll())).toEqual([1, 3]);
    expect(await follower.poll()).toEqual([]);
    expect(await follower.poll()).toEqual([]);
  });

  it('starts from an empty history', async () => {
    const api = fakeApi(100);
    const follower = new HitFollower(api.fetch);
    await follower.start();
    api.visible.add(1);
    expect(ids(await follower.poll())).toEqual([1]);
  });
});
