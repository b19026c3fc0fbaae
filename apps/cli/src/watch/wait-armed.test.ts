import { describe, expect, it } from 'vitest';
import type { AssignmentPhase, AssignmentView, WatchDetailView, WatchState } from '@physwatch/core';
import { ApiClient } from '../api/api-client';
import { CommandFailedError } from '../cli-error';
import { ProgressIo, waitUntilArmed } from './wait-armed';

function detail(phases: Array<[string, AssignmentPhase, string?]>, state: WatchState = 'active'): WatchDetailView {
  const hosts: AssignmentView[] = phases.map(([host_id, phase, reason]) => ({ host_id, phase, reason: reason ?? '', resolved_paddr: null, memory_kind: null, updated_at: 't' }));
  const count = (p: AssignmentPhase) => hosts.filter((h) => h.phase === p).length;
  return {
    id: '5', state, created_at: 't', ended_at: null, target: { paddr: '0x0' }, width: 1, condition: 'any_change', interval: '1ms',
    hosts: { ids: hosts.map((h) => h.host_id) }, assignments: hosts, counts: { pending: count('pending'), armed: count('armed'), failed: count('failed'), disarmed: count('disarmed') },
  };
}

/** Serves the given answers in turn (the last one forever), on a fake clock that moves with sleep. */
function scripted(answers: WatchDetailView[], rewrite = false) {
  let i = 0;
  const fetchFn = (async () => new Response(JSON.stringify(answers[Math.min(i++, answers.length - 1)]), { status: 200 })) as unknown as typeof fetch;
  let clock = 0;
  const out: string[] = [];
  const io: ProgressIo = { write: (t) => void out.push(t), rewrite, sleep: async (ms) => void (clock += ms), now: () => clock };
  return { client: new ApiClient({ server: 'http://x', serverSource: 'test', token: null, tokenSource: null }, fetchFn), io, out };
}

describe('watch create --wait', () => {
  it('prints a line per change (not per poll) until nothing is pending', async () => {
    const s = scripted([
      detail([['a', 'pending'], ['b', 'pending']]),
      detail([['a', 'pending'], ['b', 'pending']]),
      detail([['a', 'armed'], ['b', 'pending']]),
      detail([['a', 'armed'], ['b', 'armed']]),
    ]);
    const watch = await waitUntilArmed(s.client, '5', 60_000, s.io);
    expect(watch.counts.armed).toBe(2);
    expect(s.out).toEqual([
      'watch 5: armed 0, failed 0, pending 2 of 2 host(s)\n',
      'watch 5: armed 1, failed 0, pending 1 of 2 host(s)\n',
      'watch 5: armed 2, failed 0, pending 0 of 2 host(s)\n',
    ]);
  });

  it('rewrites one line on a terminal', async () => {
    const s = scripted([detail([['a', 'pending']]), detail([['a', 'armed']])], true);
    await waitUntilArmed(s.client, '5', 60_000, s.io);
    expect(s.out.join('')).toBe('\r\x1b[2Kwatch 5: armed 0, failed 0, pending 1 of 1 host(s)\r\x1b[2Kwatch 5: armed 1, failed 0, pending 0 of 1 host(s)\n');
  });

  it('fails naming each host that did not arm, with its reason', async () => {
    const s = scripted([detail([['a', 'armed'], ['b', 'failed', 'symbol not found']])]);
    const err = await waitUntilArmed(s.client, '5', 60_000, s.io).catch((e: CommandFailedError) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).details).toEqual(['b: failed (symbol not found)']);
  });

  it('fails after the timeout naming the hosts still pending, and when no host matched', async () => {
    const s = scripted([detail([['a', 'armed'], ['slow', 'pending']])]);
    await expect(waitUntilArmed(s.client, '5', 2_000, s.io)).rejects.toThrow('timed out after 2 s: watch 5 is still pending on slow');
    await expect(waitUntilArmed(scripted([detail([])]).client, '5', 2_000, s.io)).rejects.toThrow('matches no host');
    await expect(waitUntilArmed(scripted([detail([['a', 'pending']], 'stopped')]).client, '5', 2_000, s.io)).rejects.toThrow('ended (stopped)');
  });
});
