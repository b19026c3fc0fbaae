/**
 * Failed authentications per source address, in fixed windows: the first failure opens a
 * window of `windowMs`; once `limit` failures fall in it, every request from that source
 * that needs a token is refused (429) until the window ends, before its token is looked at
 * (so a guess that happens to be right is not told apart). In memory, per replica.
 */

/** Sources tracked at most; past it, the oldest windows are forgotten first. */
export const MAX_TRACKED_SOURCES = 100_000;

interface Window {
  startedAt: number;
  failures: number;
}

export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `source` may try again; null when it may now. */
  blockedFor(source: string): number | null {
    const window = this.current(source);
    if (!window || window.failures < this.limit) return null;
    return window.startedAt + this.windowMs - this.now();
  }

  /** Counts one failure; true when it is the one that reaches the limit. */
  recordFailure(source: string): boolean {
    let window = this.current(source);
    if (!window) {
      this.makeRoom();
      window = { startedAt: this.now(), failures: 0 };
      this.windows.set(source, window);
    }
    window.failures++;
    return window.failures === this.limit;
  }

  get trackedSources(): number {
    return this.windows.size;
  }

  private current(source: string): Window | undefined {
    const window = this.windows.get(source);
    if (window && this.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(source);
      return undefined;
    }
    return window;
  }

  private makeRoom(): void {
    if (this.windows.size < MAX_TRACKED_SOURCES) return;
    const now = this.now();
    for (const [source, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(source);
    // Insertion order is start order: the oldest windows go first.
    for (const source of this.windows.keys()) {
      if (this.windows.size < MAX_TRACKED_SOURCES) break;
      this.windows.delete(source);
    }
  }
}
