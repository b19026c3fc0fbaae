import type { ReportedState } from '@physwatch/db';
import type { Hello__Output, WatchState__Output } from '@physwatch/proto';
import { AgentProtocolError } from '../common/errors';

const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A Hello the orchestrator can act on, or AgentProtocolError naming what is wrong. */
export function checkHello(hello: Hello__Output | null | undefined): Hello__Output {
  if (!hello) throw new AgentProtocolError('Hello is empty');
  if (!HOST_ID.test(hello.host_id)) throw new AgentProtocolError(`Hello.host_id ${JSON.stringify(hello.host_id)} is not a host id (1-128 of A-Z a-z 0-9 . _ : -)`);
  if (!hello.boot_id) throw new AgentProtocolError('Hello.boot_id is empty');
  return hello;
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
    rows.push({ watchId: state.watch_id, phase, resolvedPaddr: resolved, memoryKind, reason: state.reason });
  }
  return rows;
}
