/**
 * One agent per state dir: two agents sharing a spool would hand out the same seqs for
 * different hits. The lock names its holder (pid + boot id); a holder that is gone, or
 * from another boot, is stale (kill -9, power loss) and the lock is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class StateDirLockedError extends Error {
  override readonly name = 'StateDirLockedError';
}

interface Holder {
  pid: number;
  bootId: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) && typeof holder.bootId === 'string' ? holder : null;
  } catch {
    return null;
  }
}

/** Takes the lock or throws StateDirLockedError; returns the release function. */
export function lockStateDir(stateDir: string, bootId: string): () => void {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, 'agent.lock');
  const mine = JSON.stringify({ pid: process.pid, bootId });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return () => {
        if (fs.readFileSync(file, 'utf8') === mine) fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && holder.bootId === bootId && alive(holder.pid)) {
      throw new StateDirLockedError(
        `state dir ${stateDir} is in use by agent pid ${holder.pid}; if no agent runs there, remove ${file}`,
      );
    }
    fs.rmSync(file, { force: true });
  }
  throw new StateDirLockedError(`state dir ${stateDir}: another agent took the lock while this one started`);
}
