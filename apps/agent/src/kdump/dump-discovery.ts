/**
 * Crash dumps in crashDir, in the two layouts the distributions' kdump services write:
 * kdump-tools (Debian/Ubuntu) `<crashDir>/<YYYYMMDDHHMM>/{dump.<stamp>,dmesg.<stamp>}` and
 * RHEL/Fedora `<crashDir>/<host>-<date>/{vmcore,vmcore-dmesg.txt}`. Both write to a
 * `*-incomplete` name and rename when done; the settle check catches any other writer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type DumpLayout = 'kdump-tools' | 'rhel';

export interface FoundDump {
  /** Absolute. */
  path: string;
  layout: DumpLayout;
  /** The saved dmesg next to it, if there is one. */
  dmesgPath: string | null;
}

const existing = (file: string): string | null => (fs.existsSync(file) ? file : null);

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Every dump in crashDir, by path; a missing crashDir is simply no dumps. */
export function findDumps(crashDir: string): FoundDump[] {
  const root = path.resolve(crashDir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: FoundDump[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = path.join(root, entry.name);
    const kdumpTools = path.join(dir, `dump.${entry.name}`);
    if (/^\d{12}$/.test(entry.name) && isFile(kdumpTools)) {
      found.push({ path: kdumpTools, layout: 'kdump-tools', dmesgPath: existing(path.join(dir, `dmesg.${entry.name}`)) });
    }
    const rhel = path.join(dir, 'vmcore');
    if (isFile(rhel)) found.push({ path: rhel, layout: 'rhel', dmesgPath: existing(path.join(dir, 'vmcore-dmesg.txt')) });
  }
  return found;
}

/** Size and mtime as one comparable value; null when the file is gone. */
export function sizeAndMtime(file: string): string | null {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The dumps whose size and mtime did not change over `waitMs`: the rest are still being written. */
export async function settledDumps(dumps: FoundDump[], waitMs: number): Promise<FoundDump[]> {
  if (dumps.length === 0) return [];
  const before = dumps.map((d) => sizeAndMtime(d.path));
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  return dumps.filter((d, i) => before[i] !== null && sizeAndMtime(d.path) === before[i]);
}
