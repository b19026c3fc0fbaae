import type { HitView, HuntDetailView, HuntView, ListView, PageView, VmcoreView } from '@physwatch/core';
import { getJson, postJson } from './client';

/** The most hits one stage watch contributes to the bracket chart (the API's page limit): the newest. */
export const CHART_HITS_PER_WATCH = 1000;

export function listHunts(state?: string): Promise<ListView<HuntView>> {
  return getJson<ListView<HuntView>>('/hunts', { state });
}

export function getHunt(id: string): Promise<HuntDetailView> {
  return getJson<HuntDetailView>(`/hunts/${id}`);
}

export type HuntAction = 'pause' | 'resume' | 'stop';

export function huntAction(id: string, action: HuntAction): Promise<HuntDetailView> {
  return postJson<HuntDetailView>(`/hunts/${id}/${action}`);
}

/** Every watch of every stage, ended ones too, with the stage it served. */
export function huntWatches(hunt: HuntDetailView): Array<{ watchId: string; stage: number }> {
  return hunt.stages.flatMap((s) => (s.watch_ids ?? (s.watch_id ? [s.watch_id] : [])).map((watchId) => ({ watchId, stage: s.index })));
}

export interface StageHits {
  stage: number;
  watchId: string;
  hits: HitView[];
  /** More hits exist than the chart fetched for this watch. */
  truncated: boolean;
}

/** The newest hits of each stage watch, one request per watch (the hits API filters by one watch). */
export function huntHits(watches: Array<{ watchId: string; stage: number }>): Promise<StageHits[]> {
  return Promise.all(
    watches.map(async ({ watchId, stage }) => {
      const page = await getJson<PageView<HitView>>('/hits', { watch_id: watchId, limit: String(CHART_HITS_PER_WATCH) });
      return { stage, watchId, hits: page.items, truncated: page.next_cursor !== null };
    }),
  );
}

/** Vmcores linked to the given watches (a hunt's dumping stages), newest first. */
export async function huntVmcores(watchIds: string[]): Promise<VmcoreView[]> {
  const pages = await Promise.all(watchIds.map((watch_id) => getJson<PageView<VmcoreView>>('/vmcores', { watch_id, limit: '100' })));
  return pages.flatMap((p) => p.items).sort((a, b) => b.received_at.localeCompare(a.received_at));
}
