import type { LiveEvent } from '@physwatch/core';
import { apiError, authHeaders } from './client';
import { currentSession } from './session';

export type LiveStatus = 'connecting' | 'live' | 'retrying' | 'off';

type Listener = (event: LiveEvent) => void;

/** Splits a text/event-stream body into `data:` payloads (comments and other fields are skipped). */
export function* sseMessages(buffer: { text: string }): Generator<string> {
  for (;;) {
    const end = buffer.text.search(/\r?\n\r?\n/);
    if (end < 0) return;
    const frame = buffer.text.slice(0, end);
    buffer.text = buffer.text.slice(end).replace(/^\r?\n\r?\n/, '');
    const data = frame
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length > 0) yield data.join('\n');
  }
}

/**
 * One stream of GET /api/v1/events for the whole page. EventSource cannot send the
 * Authorization header, so this reads the stream through fetch. It reconnects with backoff
 * and, after a gap, tells listeners to resync (events in the gap are lost).
 */
export class LiveEvents {
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(s: LiveStatus) => void>();
  private abort: AbortController | null = null;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | null = null;
  status: LiveStatus = 'off';

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  start(): void {
    if (this.abort || this.timer) return;
    void this.run();
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.setStatus('off');
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async run(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    this.setStatus(this.status === 'off' ? 'connecting' : 'retrying');
    try {
      const res = await fetch('/api/v1/events', { headers: { accept: 'text/event-stream', ...authHeaders() }, signal: abort.signal });
      if (!res.ok || !res.body) {
        const err = await apiError(res);
        if (err.status === 401 || err.status === 403) return this.stop();
        throw err;
      }
      this.setStatus('live');
      this.retryMs = 500;
      // Whatever happened while the stream was down is unknown: refetch once connected.
      this.emit({ kind: 'resync' });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const buffer = { text: '' };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer.text += value;
        for (const data of sseMessages(buffer)) {
          try {
            this.emit(JSON.parse(data) as LiveEvent);
          } catch {
            // not ours; the server only sends JSON payloads
          }
        }
      }
    } catch {
      if (abort.signal.aborted) return;
    }
    if (abort.signal.aborted || !currentSession().token) return;
    this.abort = null;
    this.setStatus('retrying');
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }
}

export const liveEvents = new LiveEvents();
