/**
 * One boot's unacked hits in seq order. Acks are cumulative, so hits only ever leave from
 * the front; finding "what comes after seq N" is a binary search, which keeps a large
 * backlog (an orchestrator down for an hour) cheap to page through.
 */
export interface Entry<T> {
  seq: bigint;
  value: T;
  bytes: number;
}

export class SeqQueue<T> {
  private entries: Entry<T>[] = [];
  private head = 0;

  get size(): number {
    return this.entries.length - this.head;
  }

  /** Seqs must arrive in increasing order. */
  push(entry: Entry<T>): void {
    this.entries.push(entry);
  }

  /** Removes every entry with seq <= upTo; returns them. */
  dropUpTo(upTo: bigint): Entry<T>[] {
    const start = this.head;
    while (this.head < this.entries.length && this.entries[this.head].seq <= upTo) this.head++;
    const dropped = this.entries.slice(start, this.head);
    // Reclaim the dead prefix once it dominates, not on every ack.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** Up to `max` entries with seq > after, in order. */
  after(after: bigint, max: number): Entry<T>[] {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.entries.slice(lo, lo + max);
  }

  *[Symbol.iterator](): IterableIterator<Entry<T>> {
    for (let i = this.head; i < this.entries.length; i++) yield this.entries[i];
  }
}
