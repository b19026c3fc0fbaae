/**
 * Runs `work` one at a time. A call while it runs makes it run once more afterwards, so
 * whatever arrived meanwhile (a hit, a new stream) is never missed, and never run twice at once.
 */
export class CoalescedRun {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly work: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.work();
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
