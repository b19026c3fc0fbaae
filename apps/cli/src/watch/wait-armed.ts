/**
 * `watch create --wait`: polls the watch until no host is pending, showing the counts as
 * they move (one line rewritten on a terminal; a line per change in a log), then says
 * which hosts did not arm and why.
 */
import type { WatchDetailView } from '@physwatch/core';
import type { ApiClient } from '../api/api-client';
import { CommandFailedError } from '../cli-error';

const POLL_MS = 250;

export interface ProgressIo {
  write(text: string): void;
  /** Rewrite one line in place rather than printing a line per change. */
  rewrite: boolean;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export function progressLine(w: WatchDetailView): string {
  const c = w.counts;
  return `watch ${w.id}: armed ${c.armed}, failed ${c.failed}, pending ${c.pending} of ${w.assignments.length} host(s)`;
}

/** Resolves with the watch once it is armed on every assigned host; throws otherwise. */
export async function waitUntilArmed(client: ApiClient, id: string, timeoutMs: number, io: ProgressIo): Promise<WatchDetailView> {
  const deadline = io.now() + timeoutMs;
  let shown = '';
  const show = (line: string): void => {
    if (line === shown) return;
    io.write(io.rewrite ? `\r\x1b[2K${line}` : `${line}\n`);
    shown = line;
  };
  const done = (): void => {
    if (io.rewrite && shown) io.write('\n');
  };
  for (;;) {
    const watch = await client.get<WatchDetailView>(`/api/v1/watches/${encodeURIComponent(id)}`);
    show(progressLine(watch));
    if (watch.state !== 'active') {
      done();
      throw new CommandFailedError(`watch ${id} ended (${watch.state}) before it was armed everywhere`);
    }
    const pending = watch.assignments.filter((h) => h.phase === 'pending');
    if (pending.length === 0) {
      done();
      return settled(watch);
    }
    if (io.now() >= deadline) {
      done();
      throw new CommandFailedError(
        `timed out after ${timeoutMs / 1000} s: watch ${id} is still pending on ${pending.map((h) => h.host_id).join(', ')} (it stays active; see watch describe ${id})`,
      );
    }
    await io.sleep(POLL_MS);
  }
}

function settled(watch: WatchDetailView): WatchDetailView {
  if (watch.assignments.length === 0) {
    throw new CommandFailedError(`watch ${watch.id} matches no host yet: nothing is armed (it arms on matching hosts as they connect)`);
  }
  const notArmed = watch.assignments.filter((h) => h.phase !== 'armed');
  if (notArmed.length > 0) {
    throw new CommandFailedError(
      `watch ${watch.id} is armed on ${watch.assignments.length - notArmed.length} of ${watch.assignments.length} host(s); not on:`,
      notArmed.map((h) => `${h.host_id}: ${h.phase}${h.reason ? ` (${h.reason})` : ''}`),
    );
  }
  return watch;
}
