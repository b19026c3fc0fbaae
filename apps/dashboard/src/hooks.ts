import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { LiveEvent } from '@physwatch/core';
import { liveEvents, LiveStatus } from './api/events';

export type Resource<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'error'; data?: T; error: Error }
  | { state: 'ok'; data: T; error?: undefined };

/**
 * Loads `fetcher` when `key` changes, again whenever a live event passes `refreshOn`, and
 * every `pollMs` if given (a host going offline by silence sends no event).
 * A refresh keeps the data on screen (no loading flash); a failed refresh keeps it too and
 * shows the error beside it.
 */
export function useResource<T>(
  key: string,
  fetcher: () => Promise<T>,
  refreshOn?: (event: LiveEvent) => boolean,
  pollMs?: number,
): Resource<T> & { reload: () => void } {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading' });
  const generation = useRef(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const refreshRef = useRef(refreshOn);
  refreshRef.current = refreshOn;

  const load = useCallback((keepData: boolean) => {
    const mine = ++generation.current;
    if (!keepData) setResource({ state: 'loading' });
    fetcherRef.current().then(
      (data) => mine === generation.current && setResource({ state: 'ok', data }),
      (error: Error) => mine === generation.current && setResource((prev) => ({ state: 'error', data: prev.data, error })),
    );
  }, []);

  useEffect(() => load(false), [key, load]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = liveEvents.subscribe((event) => {
      const wanted = event.kind === 'resync' || refreshRef.current?.(event);
      // Coalesce bursts (a batch of hits is one event per statement, but many hosts send at once).
      if (wanted && !timer) timer = setTimeout(() => ((timer = null), load(true)), 250);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [load]);

  useEffect(() => {
    if (!pollMs) return;
    const t = setInterval(() => load(true), pollMs);
    return () => clearInterval(t);
  }, [pollMs, load]);

  return { ...resource, reload: () => load(false) };
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (cb) => liveEvents.onStatus(cb),
    () => liveEvents.status,
  );
}

/** Re-renders every `ms` so "12 s ago" and online badges stay true without events. */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** True when the event may change what a view of these ids shows (null ids mean "many"). */
export function touches(ids: string[] | null, id: string | undefined): boolean {
  return ids === null || id === undefined || ids.includes(id);
}
