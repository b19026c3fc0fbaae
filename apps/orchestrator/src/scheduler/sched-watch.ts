import { hostLimits, isDestructive, SchedHost, SchedWatch, watchNeeds, WatchSpec } from '@physwatch/core';
import type { SchedulableHost } from '@physwatch/db';

/** The scheduler's view of a stored, active watch. */
export function toSchedWatch(id: string, spec: WatchSpec, hitsByHost?: ReadonlyMap<string, number>): SchedWatch {
  return {
    id,
    active: true,
    hosts: spec.hosts,
    action: spec.action,
    kdumpOnHit: spec.kdumpOnHit,
    rollout: spec.rollout,
    startsAt: spec.startsAt,
    maxHitsPerHost: spec.maxHitsPerHost,
    hitsByHost,
    needs: watchNeeds(spec),
  };
}

/** The scheduler's view of a host: what its Capabilities let it hold. */
export function toSchedHost(host: SchedulableHost): SchedHost {
  return { id: host.id, labels: host.labels, maxWatches: host.maxWatches, online: host.online, limits: hostLimits(host.capabilities) };
}

/**
 * A watch that goes to every selected host with room, at once: no canary, no share, no
 * cap, not paused, started. Only such a watch can be placed on one arriving host without
 * looking at the rest of the fleet.
 */
export function placesAnywhere(watch: SchedWatch, now: Date): boolean {
  const r = watch.rollout;
  const destructiveCap = isDestructive(watch) && !r.allowWideDestructive;
  const started = watch.startsAt === null || watch.startsAt.getTime() <= now.getTime();
  return r.canary === 0 && r.percent === 100 && r.maxHosts === null && !r.paused && !destructiveCap && started && watch.maxHitsPerHost === null;
}
