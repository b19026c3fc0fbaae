import type { HuntSpecJson, HuntStageJson } from '../hunt-spec';

/**
 * The REST shapes of docs/contracts.md "Hunts": snake_case, times as ISO 8601, brackets in
 * nanoseconds. The orchestrator's views are typed against these; the CLI reads them.
 */
export type HuntState = 'active' | 'paused' | 'stopped';

/** A hunt in a list: its spec as the server re-prints it and how many hosts stand at each stage. */
export interface HuntView {
  id: string;
  state: HuntState;
  /** Hunt-wide hold: the engine moves no host past this stage; null when not held. */
  held_stage: number | null;
  created_by: string | null;
  created_at: string;
  ended_at: string | null;
  spec: HuntSpecJson;
  /** Hosts per stage, index = stage. */
  stage_counts: number[];
}

export interface HuntStageView {
  index: number;
  spec: HuntStageJson;
  /** The stage's watch while it has hosts; null when no host stands at the stage. */
  watch_id: string | null;
  /** Every watch the stage has had, oldest first, ended ones too: its hits are the hits of all of them. */
  watch_ids: string[];
  hosts: string[];
}

export interface HuntHostView {
  host_id: string;
  stage: number;
  held: boolean;
  entered_at: string;
  hits_at_stage: number;
  /** Median bracket of the host's newest hits at its stage, ns; null while no hit carries one. */
  bracket_median_ns: number | null;
  poll_ns_avg: number | null;
  /** The cohort the host belongs to ("key=value,…"), null when it lacks a cohort key. */
  cohort: string | null;
}

/** One entry of the hunt's timeline: a transition of a host, or an event of the hunt. */
export interface HuntTimelineEntry {
  at: string;
  kind: 'transition' | 'created' | 'paused' | 'resumed' | 'held' | 'released' | 'stopped' | 'budget_held';
  host_id: string | null;
  from_stage: number | null;
  to_stage: number | null;
  reason: string;
  actor: string;
}

export interface HuntDetailView extends HuntView {
  cohort: string[];
  stages: HuntStageView[];
  hosts: HuntHostView[];
  timeline: HuntTimelineEntry[];
}
