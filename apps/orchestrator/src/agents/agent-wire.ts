import { describeProblems, heartbeatProblems, helloProblems, Problems, watchStatesProblems } from '@physwatch/core';
import type { ReportedState } from '@physwatch/db';
import type { Heartbeat__Output, Hello__Output, WatchState__Output, WatchStates__Output } from '@physwatch/proto';
import { AgentProtocolError } from '../common/errors';

/** A Hello the orchestrator can store, or AgentProtocolError (INVALID_ARGUMENT) naming every bad field. */
export function checkHello(hello: Hello__Output | null | undefined): Hello__Output {
  if (!hello) throw new AgentProtocolError('Hello is empty');
  const problems = helloProblems(hello);
  if (problems.length > 0) throw new AgentProtocolError(describeProblems(problems));
  return hello;
}

export function checkHeartbeat(beat: Heartbeat__Output | null | undefined): Heartbeat__Output {
  if (!beat) throw new AgentProtocolError('Heartbeat is empty');
  const problems = heartbeatProblems(beat);
  if (problems.length > 0) throw new AgentProtocolError(describeProblems(problems));
  return beat;
}

/**
 * The states that can be stored, and what is wrong with the others. Agents repeat their
 * states on every desired state, so one bad state is dropped alone rather than failing the
 * stream again and again; a bad generation fails the whole message.
 */
export function storableStates(message: WatchStates__Output | null | undefined): { generation: string; states: WatchState__Output[]; problems: Problems } {
  if (!message) throw new AgentProtocolError('WatchStates is empty');
  const problems = watchStatesProblems(message);
  const generationProblems = problems.filter((p) => p.field === 'WatchStates.generation' || p.field === 'WatchStates.states');
  if (generationProblems.length > 0) throw new AgentProtocolError(describeProblems(generationProblems));
  const bad = new Set(problems.map((p) => /^WatchStates\.states\[(\d+)\]/.exec(p.field)?.[1]).filter((i) => i !== undefined).map(Number));
  return { generation: message.generation, states: message.states.filter((_, i) => !bad.has(i)), problems };
}

const PHASES: Record<string, ReportedState['phase'] | undefined> = {
  WATCH_PHASE_ARMED: 'armed',
  WATCH_PHASE_FAILED: 'failed',
  WATCH_PHASE_DISARMED: 'disarmed',
};

const MEMORY_KINDS: Record<string, ReportedState['memoryKind'] | undefined> = { MEMORY_KIND_RAM: 'ram', MEMORY_KIND_MMIO: 'mmio' };

/** Wire states to rows; states without a phase say nothing and are skipped. */
export function fromWireStates(states: readonly WatchState__Output[]): ReportedState[] {
  const rows: ReportedState[] = [];
  for (const state of states) {
    const phase = PHASES[state.phase];
    if (!phase || !/^[1-9][0-9]*$/.test(state.watch_id)) continue;
    const memoryKind = MEMORY_KINDS[state.memory_kind] ?? null;
    // 0 is what proto3 sends for "not set"; an address is only meaningful once resolved.
    const resolved = memoryKind !== null || state.resolved_paddr !== '0' ? state.resolved_paddr : null;
    // 0 is "not measured"; a hunt's polling budget reads the cost (bigint column: at most 19 digits).
    const poll = state.poll_ns_avg ?? '0';
    const pollNsAvg = /^[1-9][0-9]{0,17}$/.test(poll) ? poll : null;
    rows.push({ watchId: state.watch_id, phase, resolvedPaddr: resolved, memoryKind, reason: state.reason, pollNsAvg });
  }
  return rows;
}
