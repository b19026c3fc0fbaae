/**
 * The module's `rate=`, simulated: at most `rate` hits reported per second per watch; the
 * rest are counted (the kernel backend counts the module's `suppressed` lines the same way).
 */
const SECOND_NS = 1_000_000_000n;

export class RateWindow {
  private startNs: bigint | null = null;
  private count = 0;

  constructor(private readonly rate: number) {}

  /** Whether a hit stamped `boottimeNs` may be reported. */
  admit(boottimeNs: bigint): boolean {
    if (this.startNs === null || boottimeNs - this.startNs >= SECOND_NS) {
      this.startNs = boottimeNs;
      this.count = 0;
    }
    if (this.count >= this.rate) return false;
    this.count++;
    return true;
  }
}
