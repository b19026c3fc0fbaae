/**
 * The listeners a WatchBackend hands its events to: `onEvent` registers one (returning the
 * unsubscribe function), `emit` calls each, and after `close()` nothing is emitted again.
 */
import type { BackendEvent } from './watch-backend';

export type BackendEventListener = (event: BackendEvent) => void;

export class BackendEventListeners {
  private readonly listeners = new Set<BackendEventListener>();
  private closed = false;

  add(listener: BackendEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: BackendEvent): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener(event);
  }

  /** Forgets every listener; later `emit` calls do nothing. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
  }
}
