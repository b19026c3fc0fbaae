/**
 * The seqs of one boot whose hits are only on disk, as runs of consecutive seqs. Appends
 * hand out consecutive seqs, so a backlog of millions is a handful of runs: the count stays
 * exact (Heartbeat.unacked_hits) while memory does not grow with the backlog.
 */
export class SeqRanges {
  /** [first, last] inclusive, increasing and non-adjacent. */
  private runs: Array<[bigint, bigint]> = [];
  private head = 0;
  private total = 0;

  get size(): number {
    return this.total;
  }

  get first(): bigint | undefined {
    return this.runs[this.head]?.[0];
  }

  /** Seqs must arrive in increasing order. */
  add(seq: bigint): void {
    const last = this.runs[this.runs.length - 1];
    if (last && this.head < this.runs.length && last[1] + 1n === seq) last[1] = seq;
    else this.runs.push([seq, seq]);
    this.total++;
  }

  /** Removes every seq <= upTo; returns how many were removed. */
  dropUpTo(upTo: bigint): number {
    let removed = 0;
    while (this.head < this.runs.length) {
      const run = this.runs[this.head];
      if (run[0] > upTo) break;
      if (run[1] <= upTo) {
        removed += Number(run[1] - run[0] + 1n);
        this.head++;
      } else {
        removed += Number(upTo - run[0] + 1n);
        run[0] = upTo + 1n;
        break;
      }
    }
    if (this.head > 64 && this.head * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.head = 0;
    }
    this.total -= removed;
    return removed;
  }

  has(seq: bigint): boolean {
    let lo = this.head;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runs[mid][1] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.runs.length && this.runs[lo][0] <= seq;
  }
}
