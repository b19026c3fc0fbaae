/**
 * Small JSON files in stateDir that must survive a crash of the whole host (boots, the crash
 * request, acked dumps): written to a temp file, fsync'd, renamed over the old one and the
 * directory fsync'd, so a reader after the reboot sees the old content or the new, never half.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeStateFile(file: string, value: unknown): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { flush: true });
  fs.renameSync(tmp, file);
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The parsed file, or null when it is missing or not JSON (the caller decides what that means). */
export function readStateFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}
