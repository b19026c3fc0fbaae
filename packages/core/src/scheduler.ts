/**
 * The scheduler's decision, as a pure function of what is known now: which hosts each
 * watch should be on, and for every selected host it is not on, why. No I/O and no clock
 * of its own (`now` is an input), so the same input always gives the same answer: the
 * orchestrator can recompute it from Postgres at any time, on any replica.
 *
 * Placements are sticky: a host already running a watch keeps it while the watch still
 * wants that many hosts, so a recompute never shuffles a fleet. Capacity is taken first
 * by what hosts already run, then by new placements in watch id order.
 */
import { HostLimits, unsupportedReason, WatchNeeds } from './host-limits';
import type { Rollout } from './rollout';
import { isDestructive } from './rollout';
import { matchesSelector } from './selector';
import type { HostSelection } from './watch-spec';

export interface SchedHost {
  id: string;
  labels: Readonly<Record<string, string>>;
  /** How many watches the host's module holds; null when it did not say (no limit). */
  maxWatches: number | null;
  /** Connected, with a heartbeat inside the grace window. */
  online: boolean;
  /** What its Capabilities say it can run (host-limits.ts); absent or null: nothing refused. */
  limits?: HostLimits | null;
}

export interface SchedAssignment {
  watchId: string;
  hostId: string;
  phase: 'pending' | 'armed' | 'failed' | 'disarmed';
  /** When the assignment entered its phase (not when it was last reported). */
  phaseSince: Date;
}

export interface SchedWatch {
  id: string;
  /**
   * False once stopped, expired or exhausted: such a watch is on no host. Reaching
   * expires_at is not a placement rule: the orchestrator ends the watch (state expired).
   */
  active: boolean;
  hosts: HostSelection;
  action: string;
  kdumpOnHit: boolean;
  rollout: Rollout;
  startsAt: Date | null;
  maxHitsPerHost: number | null;
  /** Stored hits of this watch per host; only consulted when maxHitsPerHost is set. */
  hitsByHost?: ReadonlyMap<string, number>;
  /** Mode and target, checked against each host's limits; absent: not checked. */
  needs?: WatchNeeds;
}

export const WAIT_REASONS = ['offline', 'capacity_full', 'canary_soak', 'paused', 'rollout_limit', 'not_started', 'ended', 'host_max_hits', 'unsupported'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export interface HostWait {
  hostId: string;
  reason: WaitReason;
  message: string;
}

export interface WatchPlan {
  watchId: string;
  /** Hosts that should run the watch, sorted by id. */
  hosts: string[];
  /** Selected hosts the watch is not on, with the reason, sorted by host id. */
  waiting: HostWait[];
  /** Past the canary stage (or there is none). */
  expanded: boolean;
}

export interface ScheduleInput {
  watches: readonly SchedWatch[];
  hosts: readonly SchedHost[];
  /** Non-removed assignments of active watches, including watches not in `watches` (they hold capacity). */
  assignments: readonly SchedAssignment[];
  now: Date;
}

/** FNV-1a: spreads each watch's canaries over different hosts, the same way every time. */
function rank(watchId: string, hostId: string): number {
  let h = 0x811c9dc5;
  const text = `${watchId}/${hostId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function byRank(watchId: string): (a: string, b: string) => number {
  return (a, b) => rank(watchId, a) - rank(watchId, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function selectsHost(selection: HostSelection, host: Pick<SchedHost, 'id' | 'labels'>): boolean {
  return selection.kind === 'ids' ? selection.ids.includes(host.id) : matchesSelector(selection.requirements, host.labels);
}

/** The most hosts the watch may reach out of `eligible` selected ones, ignoring the canary stage. */
export function rolloutLimit(watch: Pick<SchedWatch, 'action' | 'kdumpOnHit' | 'rollout'>, eligible: number): number {
  const { rollout } = watch;
  let limit = Math.ceil((eligible * rollout.percent) / 100);
  if (rollout.maxHosts !== null) limit = Math.min(limit, rollout.maxHosts);
  if (isDestructive(watch) && !rollout.allowWideDestructive) limit = Math.min(limit, 1);
  return limit;
}

interface CanaryGate {
  expanded: boolean;
  message: string;
}

/**
 * Expansion is allowed once every current placement is armed, none failed, and the last
 * of them armed at least soak ago. A watch already wider than its canary stays expanded.
 */
function canaryGate(watch: SchedWatch, current: readonly SchedAssignment[], now: Date): CanaryGate {
  const canary = watch.rollout.canary;
  if (canary === 0 || current.length > canary) return { expanded: true, message: '' };
  const armed = current.filter((a) => a.phase === 'armed');
  const failed = current.filter((a) => a.phase === 'failed');
  const status = `${armed.length} of ${canary} canary hosts armed, ${failed.length} failed`;
  if (failed.length > 0) return { expanded: false, message: `${status}: the rollout holds until the failure is resolved` };
  if (current.length < canary || armed.length < current.length) return { expanded: false, message: `waiting for canaries: ${status}` };
  const lastArmed = Math.max(...armed.map((a) => a.phaseSince.getTime()));
  const soakEnds = lastArmed + watch.rollout.soakMs;
  if (soakEnds > now.getTime()) return { expanded: false, message: `canaries soaking until ${new Date(soakEnds).toISOString()}` };
  return { expanded: true, message: '' };
}

interface Draft {
  watch: SchedWatch;
  /** Selected hosts in placement order: current ones first, then by rank. */
  order: SchedHost[];
  current: Set<string>;
  target: number;
  gate: CanaryGate;
  chosen: Set<string>;
  waiting: Map<string, HostWait>;
}

function lifetimeWait(watch: SchedWatch, now: Date): HostWait['reason'] | null {
  if (!watch.active) return 'ended';
  if (watch.startsAt && now.getTime() < watch.startsAt.getTime()) return 'not_started';
  return null;
}

function draft(watch: SchedWatch, hosts: readonly SchedHost[], current: readonly SchedAssignment[], now: Date): Draft {
  const waiting = new Map<string, HostWait>();
  const selected = hosts.filter((h) => selectsHost(watch.hosts, h));
  const currentIds = new Set(current.map((a) => a.hostId));
  const empty = { watch, order: [], current: currentIds, target: 0, gate: { expanded: false, message: '' }, chosen: new Set<string>(), waiting };
  const life = lifetimeWait(watch, now);
  if (life) {
    const message = life === 'ended' ? 'the watch has ended' : `the watch starts at ${watch.startsAt!.toISOString()}`;
    for (const h of selected) waiting.set(h.id, { hostId: h.id, reason: life, message });
    return empty;
  }
  const eligible = selected.filter((h) => {
    const unsupported = watch.needs && h.limits ? unsupportedReason(watch.needs, h.limits) : null;
    if (unsupported) {
      waiting.set(h.id, { hostId: h.id, reason: 'unsupported', message: unsupported });
      return false;
    }
    const hits = watch.maxHitsPerHost === null ? 0 : (watch.hitsByHost?.get(h.id) ?? 0);
    if (watch.maxHitsPerHost !== null && hits >= watch.maxHitsPerHost) {
      waiting.set(h.id, { hostId: h.id, reason: 'host_max_hits', message: `${hits} hits reached max_hits_per_host ${watch.maxHitsPerHost}` });
      return false;
    }
    return true;
  });
  const eligibleIds = new Set(eligible.map((h) => h.id));
  const keep = current.filter((a) => eligibleIds.has(a.hostId));
  const gate = canaryGate(watch, keep, now);
  const limit = rolloutLimit(watch, eligible.length);
  let target = gate.expanded ? limit : Math.min(watch.rollout.canary, limit);
  if (watch.rollout.paused) target = Math.min(target, keep.length);
  const cmp = byRank(watch.id);
  const order = [...eligible].sort((a, b) => Number(currentIds.has(b.id)) - Number(currentIds.has(a.id)) || cmp(a.id, b.id));
  return { watch, order, current: currentIds, target, gate, chosen: new Set(), waiting };
}

function leftoverWait(d: Draft, host: SchedHost): HostWait {
  const { rollout } = d.watch;
  if (!host.online) return { hostId: host.id, reason: 'offline', message: 'no heartbeat within the grace window' };
  if (rollout.paused) return { hostId: host.id, reason: 'paused', message: 'the rollout is paused' };
  if (!d.gate.expanded) return { hostId: host.id, reason: 'canary_soak', message: d.gate.message };
  return { hostId: host.id, reason: 'rollout_limit', message: `the rollout reaches ${d.target} hosts (percent ${rollout.percent}, max_hosts ${rollout.maxHosts ?? 'none'})` };
}

/** Computes every watch's plan. Watches are taken in id order; the output is keyed by watch id. */
export function schedule(input: ScheduleInput): Map<string, WatchPlan> {
  const hosts = [...input.hosts].sort((a, b) => compareIds(a.id, b.id));
  const hostById = new Map(hosts.map((h) => [h.id, h]));
  const watches = [...input.watches].sort((a, b) => compareIds(a.id, b.id));
  const scheduled = new Set(watches.map((w) => w.id));
  const used = new Map<string, number>();
  const take = (hostId: string) => used.set(hostId, (used.get(hostId) ?? 0) + 1);
  const hasRoom = (host: SchedHost) => host.maxWatches === null || (used.get(host.id) ?? 0) < host.maxWatches;
  const currentByWatch = new Map<string, SchedAssignment[]>();
  for (const a of input.assignments) {
    if (!hostById.has(a.hostId)) continue;
    if (!scheduled.has(a.watchId)) take(a.hostId);
    else if (currentByWatch.has(a.watchId)) currentByWatch.get(a.watchId)!.push(a);
    else currentByWatch.set(a.watchId, [a]);
  }
  const drafts = watches.map((w) => draft(w, hosts, currentByWatch.get(w.id) ?? [], input.now));

  // Pass 1: placements that already exist keep their slot, so new watches never evict them.
  for (const d of drafts) {
    for (const host of d.order) {
      if (d.chosen.size >= d.target || !d.current.has(host.id) || !hasRoom(host)) continue;
      d.chosen.add(host.id);
      take(host.id);
    }
  }
  // Pass 2: new placements, on online hosts with room, up to each watch's target.
  for (const d of drafts) {
    for (const host of d.order) {
      if (d.chosen.has(host.id)) continue;
      if (d.chosen.size < d.target && host.online && !d.current.has(host.id) && hasRoom(host)) {
        d.chosen.add(host.id);
        take(host.id);
      } else if (d.chosen.size < d.target && host.online && !hasRoom(host)) {
        d.waiting.set(host.id, { hostId: host.id, reason: 'capacity_full', message: `the host holds its maximum of ${host.maxWatches} watches` });
      } else {
        d.waiting.set(host.id, leftoverWait(d, host));
      }
    }
  }
  const plans = new Map<string, WatchPlan>();
  for (const d of drafts) {
    plans.set(d.watch.id, {
      watchId: d.watch.id,
      hosts: [...d.chosen].sort(compareIds),
      waiting: [...d.waiting.values()].sort((a, b) => compareIds(a.hostId, b.hostId)),
      expanded: d.gate.expanded,
    });
  }
  return plans;
}
