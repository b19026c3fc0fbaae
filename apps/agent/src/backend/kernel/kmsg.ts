/**
 * Why the module refused a command: it says so in exactly one kernel log line (-EINVAL
 * "bad command: key=…: …", or "add id=N TARGET: reason (errno)"), not in the errno.
 * /dev/kmsg is read non-blocking from the start; the last matching record wins.
 */
import * as fs from 'node:fs';

const MAX_RECORDS = 100_000;

export function lastModuleError(kmsgPath: string, watchId: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(kmsgPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const buf = Buffer.alloc(8192);
  const addPrefix = `physwatch: add id=${watchId} `;
  const addTable = `physwatch: add id=${watchId}: `;
  let found: string | null = null;
  try {
    for (let i = 0; i < MAX_RECORDS; i++) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        // EPIPE: a record was overwritten while reading; the next read continues.
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') continue;
        break; // EAGAIN: end of the log
      }
      if (n <= 0) break;
      const record = buf.toString('utf8', 0, n);
      const text = record.slice(record.indexOf(';') + 1).split('\n')[0];
      if (text.startsWith(addPrefix) || text.startsWith(addTable) || text.startsWith('physwatch: bad command: ')) found = text.slice('physwatch: '.length);
    }
  } finally {
    fs.closeSync(fd);
  }
  return found;
}
