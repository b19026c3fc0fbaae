import type { LiveEvent } from '@physwatch/core';

/** The channel migration 0005's triggers NOTIFY on (physwatch_events_channel in SQL). */
export function eventsChannel(schema: string): string {
  return (schema === 'public' ? 'physwatch_events' : `physwatch_events_${schema}`).slice(0, 63);
}

const MAX_IDS = 50;

function isIds(value: unknown): value is string[] | null {
  return value === null || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

export function decodeLiveEvent(payload: string): LiveEvent | null {
  try {
    const v = JSON.parse(payload) as Record<string, unknown>;
    if (v.kind === 'hits' && typeof v.count === 'number' && isIds(v.watch_ids) && isIds(v.host_ids)) {
      return { kind: 'hits', count: v.count, watch_ids: v.watch_ids, host_ids: v.host_ids };
    }
    if (v.kind === 'watch' && isIds(v.watch_ids)) return { kind: 'watch', watch_ids: v.watch_ids };
    if (v.kind === 'host' && isIds(v.host_ids)) return { kind: 'host', host_ids: v.host_ids };
    return null;
  } catch {
    return null;
  }
}

function union(a: string[] | null, b: string[] | null): string[] | null {
  if (a === null || b === null) return null;
  const all = [...new Set([...a, ...b])];
  return all.length > MAX_IDS ? null : all;
}

/**
 * Folds a burst of events into at most one per kind, so a fleet reconnecting or many agents
 * sending at once costs each browser a few messages, not thousands.
 */
export function mergeLiveEvents(events: readonly LiveEvent[]): LiveEvent[] {
  if (events.some((e) => e.kind === 'resync')) return [{ kind: 'resync' }];
  let hits: Extract<LiveEvent, { kind: 'hits' }> | null = null;
  let watch: Extract<LiveEvent, { kind: 'watch' }> | null = null;
  let host: Extract<LiveEvent, { kind: 'host' }> | null = null;
  for (const e of events) {
    if (e.kind === 'hits') {
      hits = hits ? { kind: 'hits', count: hits.count + e.count, watch_ids: union(hits.watch_ids, e.watch_ids), host_ids: union(hits.host_ids, e.host_ids) } : e;
    } else if (e.kind === 'watch') {
      watch = watch ? { kind: 'watch', watch_ids: union(watch.watch_ids, e.watch_ids) } : e;
    } else if (e.kind === 'host') {
      host = host ? { kind: 'host', host_ids: union(host.host_ids, e.host_ids) } : e;
    }
  }
  const merged: LiveEvent[] = [];
  for (const e of [hits, watch, host]) if (e) merged.push(e);
  return merged;
}
