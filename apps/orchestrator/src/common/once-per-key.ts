/**
 * Which keys were already reported, so a host that repeats a refused message is logged once
 * (per host and watch, per host and path), not once per message. Bounded: past `max` keys it
 * forgets them all and may log each once more.
 */
export class OncePerKey {
  private seen = new Set<string>();

  constructor(private readonly max = 10_000) {}

  /** True the first time `key` is seen. */
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.max) this.seen = new Set();
    this.seen.add(key);
    return true;
  }
}
