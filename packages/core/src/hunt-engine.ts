/**
 * The hunt's decision, as a pure function of what is stored: the hunt, where each selected
 * host stands, and the hits stored per host and stage. It answers which hosts move up one
 * stage now (and why), and which would but the polling budget holds them back. No I/O and
 * no clock: the orchestrator recomputes it from Postgres on every pass (level-triggered), and
 * a pass that runs twice decides the same transitions, which storage then makes happen once.
 *
 * A transition is always from a host's current stage to the next one, never further: a host
 * pulled up by its cohort climbs one stage per pass, so no stage is ever skipped.
 */
import type { HuntSpec } from './hunt-spec';

export interface HuntHostState {
  hostId: string;
  stage: number;
  /** Held by hand at its stage: the engine does not move it (a person still can). */
  held: boolean;
  /** Effective labels: what the cohort keys are read from. */
  labels: Readonly<Record<string, string>>;
  /** The module's measured cost of one poll of this hunt's watch on the host; null or 0 when unknown. */
  pollNsAvg: number | null;
  /**
   * What the host's other armed watches already take of a CPU (ppm, from their measured poll
   * costs and intervals): the budget is the host's, not the hunt watch's alone. 0 when none.
   */
  otherPpm?: number;
}

/** Hits stored for one host at one stage. */
export interface StageHits {
  count: number;
  /** Brackets (ns, the write happened within this long before it was seen) of the newest hits, newest first. */
  brackets: readonly number[];
}

export interface HuntDecisionInput {
  spec: Pick<HuntSpec, 'stages' | 'cohort' | 'budgetPpm'>;
  /** 'active' moves; 'paused' and 'stopped' decide nothing. */
  state: string;
  /** Hunt-wide hold: no host is moved past this stage by the engine. */
  heldStage: number | null;
  hosts: readonly HuntHostState[];
  /** hostId -> stage -> hits. */
  hits: ReadonlyMap<string, ReadonlyMap<number, StageHits>>;
}

export interface HuntTransitionDecision {
  hostId: string;
  from: number;
  to: number;
  reason: string;
  /** The host whose own rule fired and pulled this one through the cohort; null for the host's own rule. */
  pulledBy: string | null;
}

export interface BudgetHold {
  hostId: string;
  stage: number;
  message: string;
}

export interface HuntDecision {
  transitions: HuntTransitionDecision[];
  budgetHolds: BudgetHold[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * bracket_stalled, precisely: let `now` be the median bracket of the host's newest `window`
 * hits at its current stage (it needs that many). Compare it with the median of the newest
 * `window` hits at the previous stage when the host has that many there, else with the
 * median of the `window` hits before the newest ones at this stage (it needs 2 × window).
 * The bracket has stalled when `now` is not smaller than that. Undecidable (too few hits,
 * or hits without a bracket) means not stalled.
 */
export function bracketStalled(window: number, current: StageHits | undefined, previous: StageHits | undefined): { stalled: boolean; now: number | null; before: number | null; against: 'previous_stage' | 'previous_window' | null } {
  const nowWindow = current?.brackets.slice(0, window) ?? [];
  if (nowWindow.length < window) return { stalled: false, now: null, before: null, against: null };
  const now = median(nowWindow)!;
  const prevStage = previous?.brackets.slice(0, window) ?? [];
  if (prevStage.length >= window) {
    const before = median(prevStage)!;
    return { stalled: now >= before, now, before, against: 'previous_stage' };
  }
  const prevWindow = current!.brackets.slice(window, 2 * window);
  if (prevWindow.length < window) return { stalled: false, now, before: null, against: null };
  const before = median(prevWindow)!;
  return { stalled: now >= before, now, before, against: 'previous_window' };
}

/** Why the host's own rule at its stage says advance, or null. */
function ownReason(input: HuntDecisionInput, host: HuntHostState): string | null {
  const rule = input.spec.stages[host.stage]?.advance;
  if (!rule) return null;
  const byStage = input.hits.get(host.hostId);
  const here = byStage?.get(host.stage);
  if (rule.afterHits !== null && (here?.count ?? 0) >= rule.afterHits) {
    return `${here!.count} hits at stage ${host.stage} (after_hits ${rule.afterHits})`;
  }
  if (rule.bracketStalled !== null) {
    const b = bracketStalled(rule.bracketStalled.window, here, byStage?.get(host.stage - 1));
    if (b.stalled) {
      const against = b.against === 'previous_stage' ? `stage ${host.stage - 1}'s` : 'the previous window\'s';
      return `median bracket ${b.now} ns of the last ${rule.bracketStalled.window} hits at stage ${host.stage} is not smaller than ${against} ${b.before} ns (bracket_stalled)`;
    }
  }
  return null;
}

/** The cohort a host belongs to: its values of every cohort key; null when it lacks one (a cohort of its own). */
export function cohortKey(cohort: readonly string[], labels: Readonly<Record<string, string>>): string | null {
  if (cohort.length === 0) return null;
  const values: string[] = [];
  for (const key of cohort) {
    const value = labels[key];
    if (value === undefined) return null;
    values.push(`${key}=${value}`);
  }
  return values.join(',');
}

/** What the move to `to` would cost the host per the module's measured poll cost; null when it fits. */
function budgetProblem(input: HuntDecisionInput, host: HuntHostState, to: number): string | null {
  const stage = input.spec.stages[to];
  if (!host.pollNsAvg || host.pollNsAvg <= 0 || stage.mode === 'ftrace') return null;
  // One poll costs poll_ns_avg; 1e6/interval_us polls a second: ppm = ns * 1000 / us.
  const ppm = Math.round((host.pollNsAvg * 1000) / stage.intervalUs);
  const other = Math.round(host.otherPpm ?? 0);
  if (ppm + other <= input.spec.budgetPpm) return null;
  const left = input.spec.budgetPpm - other;
  const allows = left > 0 ? `the budget allows ${Math.ceil((host.pollNsAvg * 1000) / left)} us or slower` : 'the host\'s other watches already take the whole budget';
  const others = other > 0 ? ` with the host's other watches at ${other} ppm` : '';
  return `stage ${to} polls every ${stage.intervalUs} us: at poll_ns_avg ${host.pollNsAvg} ns that is ${ppm} ppm of a CPU${others}, over the hunt's budget_ppm ${input.spec.budgetPpm} (${allows})`;
}

/** Decides this pass's transitions. Deterministic: hosts in id order, cohorts by their key. */
export function decideHunt(input: HuntDecisionInput): HuntDecision {
  const out: HuntDecision = { transitions: [], budgetHolds: [] };
  if (input.state !== 'active') return out;
  const last = input.spec.stages.length - 1;
  const cap = Math.min(last, input.heldStage ?? last);
  const hosts = [...input.hosts].sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
  const own = new Map<string, string>();
  for (const h of hosts) {
    if (h.held || h.stage >= cap) continue;
    const reason = ownReason(input, h);
    if (reason !== null) own.set(h.hostId, reason);
  }
  // The stage each cohort should reach, and the host that sets it (its own rule preferred).
  const leaders = new Map<string, { level: number; hostId: string }>();
  for (const h of hosts) {
    const key = cohortKey(input.spec.cohort, h.labels);
    if (key === null) continue;
    const level = h.stage + (own.has(h.hostId) ? 1 : 0);
    const best = leaders.get(key);
    if (!best || level > best.level) leaders.set(key, { level, hostId: h.hostId });
  }
  for (const h of hosts) {
    if (h.held || h.stage >= cap) continue;
    let reason = own.get(h.hostId) ?? null;
    let pulledBy: string | null = null;
    if (reason === null) {
      const key = cohortKey(input.spec.cohort, h.labels);
      const leader = key === null ? undefined : leaders.get(key);
      if (!leader || leader.level <= h.stage) continue;
      pulledBy = leader.hostId;
      reason = `cohort ${key}: host ${leader.hostId} is at stage ${leader.level}`;
    }
    const to = h.stage + 1;
    const problem = budgetProblem(input, h, to);
    if (problem !== null) {
      out.budgetHolds.push({ hostId: h.hostId, stage: h.stage, message: `held at stage ${h.stage} by the polling budget: ${problem}` });
      continue;
    }
    out.transitions.push({ hostId: h.hostId, from: h.stage, to, reason, pulledBy });
  }
  return out;
}
