/**
 * The agent's metrics as a node_exporter textfile (`--collector.textfile.directory`): the
 * agent serves no port of its own, and node_exporter already runs where it runs. The file
 * is replaced atomically (write, fsync, rename), so a scrape never reads half of it.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { WatchState } from '@physwatch/proto';

export interface AgentMetricsSnapshot {
  connected: boolean;
  unackedHits: number;
  /** Unacked hits beyond the spool's memory cap, waiting in the journal only. */
  onDiskHits: number;
  moduleLostEvents: bigint;
  moduleSuppressedHits: bigint;
  states: readonly WatchState[];
}

const PHASES = ['armed', 'failed', 'disarmed'] as const;
const WIRE_PHASE: Record<string, (typeof PHASES)[number] | undefined> = {
  WATCH_PHASE_ARMED: 'armed',
  WATCH_PHASE_FAILED: 'failed',
  WATCH_PHASE_DISARMED: 'disarmed',
};

function family(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[string, number | bigint]>): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}${labels} ${value}`)].join('\n');
}

export function renderAgentMetrics(s: AgentMetricsSnapshot): string {
  const byPhase = new Map<string, number>(PHASES.map((p) => [p, 0]));
  for (const state of s.states) {
    const phase = WIRE_PHASE[String(state.phase)];
    if (phase) byPhase.set(phase, byPhase.get(phase)! + 1);
  }
  const polled = s.states.filter((st) => WIRE_PHASE[String(st.phase)] === 'armed' && BigInt(String(st.poll_ns_avg ?? 0)) > 0n);
  return (
    [
      family('physwatch_agent_connected', 'gauge', 'Whether the agent holds a stream to an orchestrator (1) or not (0).', [['', s.connected ? 1 : 0]]),
      family('physwatch_agent_unacked_hits', 'gauge', 'Hits in the spool not yet acked by the orchestrator (Heartbeat.unacked_hits).', [['', s.unackedHits]]),
      family('physwatch_agent_spool_on_disk_hits', 'gauge', "Unacked hits beyond the spool's memory cap, waiting in the journal only: the agent is behind.", [['', s.onDiskHits]]),
      family('physwatch_agent_module_lost_events_total', 'counter', "Kernel module events its queue could not hold (overflow lost=N), since the agent started.", [['', s.moduleLostEvents]]),
      family('physwatch_agent_module_suppressed_hits_total', 'counter', 'Hits the module counted but did not report (over rate or poll_event_cap), since the agent started.', [['', s.moduleSuppressedHits]]),
      family('physwatch_agent_watches', 'gauge', 'Watches the backend holds, by phase.', [...byPhase].map(([phase, n]) => [`{phase="${phase}"}`, n])),
      family('physwatch_agent_watch_poll_seconds', 'gauge', "The backend's measured average cost of one poll of an armed watch (the module's poll_ns_avg).", polled.map((st) => [`{watch_id="${st.watch_id}"}`, Number(String(st.poll_ns_avg)) / 1e9])),
      family('physwatch_agent_watch_missed_polls_total', 'counter', "Polls of an armed watch its timer could not make since it was armed (the module's missed=): it does not keep its interval.", polled.map((st) => [`{watch_id="${st.watch_id}"}`, BigInt(String(st.polls_missed ?? 0))])),
      family('physwatch_agent_watch_paced_polls_total', 'counter', "Of the missed polls, those the module's polling budget held back (paced=): the watch costs more than the budget gives it.", polled.map((st) => [`{watch_id="${st.watch_id}"}`, BigInt(String(st.polls_paced ?? 0))])),
    ].join('\n') + '\n'
  );
}

export function writeTextfile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
