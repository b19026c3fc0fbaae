/**
 * Why the module refused a command: it says so in exactly one kernel log line (-EINVAL
 * "bad command: key=…: …", or "add id=N TARGET: reason (errno)"), not in the errno.
 * One /dev/kmsg fd is kept, read non-blocking: `skip()` before a command, `reasonFor()`
 * after it fails, so only lines logged in between can be taken as the reason.
 */
import * as fs from 'node:fs';

export class KmsgTail {
  private readonly buf = Buffer.alloc(8192);

  private constructor(private readonly fd: number | null) {
    this.read();
  }

  static open(kmsgPath: string): KmsgTail {
    try {
      return new KmsgTail(fs.openSync(kmsgPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    } catch {
      return new KmsgTail(null); // no reason text then; the errno still fails the watch
    }
  }

  /** Forgets everything logged so far. */
  skip(): void {
    this.read();
  }

  /** The module's complaint about `watchId` among the lines logged since the last call. */
  reasonFor(watchId: string): string | null {
    const add = [`physwatch: add id=${watchId} `, `physwatch: add id=${watchId}: `];
    let found: string | null = null;
    for (const text of this.read()) {
      if (add.some((p) => text.startsWith(p)) || text.startsWith('physwatch: bad command: ')) found = text.slice('physwatch: '.length);
    }
    return found;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
  }

  /** Message texts of the records not read yet (`prefix;text`, one record per read). */
  private read(): string[] {
    const texts: string[] = [];
    if (this.fd === null) return texts;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (err) {
        // EPIPE: records were overwritten before we read them; reading continues after them.
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') continue;
        return texts; // EAGAIN: nothing more for now
      }
      if (n <= 0) return texts;
      const record = this.buf.toString('utf8', 0, n);
      texts.push(record.slice(record.indexOf(';') + 1).split('\n')[0]);
    }
  }
}
