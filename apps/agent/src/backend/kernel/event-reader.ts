/**
 * Reads /dev/physwatch without ever blocking the event loop: the fd is O_NONBLOCK, each
 * turn reads until EAGAIN, then waits `intervalMs`. (Node has no poll() on character
 * devices, and a blocking read parked in the libuv pool could not be cancelled on close.)
 * read() returns whole lines; a partial tail is kept for the next read all the same.
 */
import * as fs from 'node:fs';
import type { Logger } from 'pino';

const READ_SIZE = 64 * 1024;

export class EventReader {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tail = '';
  private readonly buf = Buffer.alloc(READ_SIZE);
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly fd: number,
    private readonly intervalMs: number,
    private readonly onLines: (lines: string[]) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Resolves once no read is in flight, so the fd can be closed after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.turn;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.turn = this.drain().then((delay) => this.schedule(delay));
    }, ms);
  }

  /** Reads what is queued; returns how long to wait before the next turn. */
  private async drain(): Promise<number> {
    while (!this.stopped) {
      let n: number;
      try {
        n = await new Promise<number>((resolve, reject) =>
          fs.read(this.fd, this.buf, 0, READ_SIZE, null, (err, bytes) => (err ? reject(err) : resolve(bytes))),
        );
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return this.intervalMs;
        this.log.error({ err }, 'reading /dev/physwatch failed; retrying');
        return Math.max(this.intervalMs, 1000);
      }
      if (n === 0) return this.intervalMs;
      const text = this.tail + this.buf.toString('utf8', 0, n);
      const lines = text.split('\n');
      this.tail = lines.pop() ?? '';
      if (lines.length > 0) this.onLines(lines);
    }
    return this.intervalMs;
  }
}
