import { Injectable } from '@nestjs/common';
import { parseWatchSpec, WatchSpec } from '@physwatch/core';
import type { Repositories } from '@physwatch/db';
import { PlaceableHost, selectedHosts, selects } from './placement';

/**
 * Turns host selections into assignment rows, inside the caller's transaction. Both ways
 * in (a new watch meets the known hosts; a host arrives and meets the active watches) take
 * the same advisory lock, so a watch created while a host says Hello reaches it either way.
 * Every host whose set changed gets its desired generation bumped in the same transaction.
 */
@Injectable()
export class PlacementService {
  async placeWatch(tx: Repositories, watchId: string, spec: WatchSpec): Promise<string[]> {
    await tx.lockPlacement();
    const candidates = spec.hosts.kind === 'ids' ? await tx.hosts.existing(spec.hosts.ids) : selectedHosts(spec.hosts, await tx.hosts.listLabels());
    const placed = await tx.assignments.assign(candidates.map((hostId) => ({ watchId, hostId })));
    await tx.hosts.bumpDesiredGeneration(placed);
    return placed;
  }

  /** Returns the ids of the watches newly placed on the host. The host's generation is bumped regardless: it just (re)connected. */
  async placeHost(tx: Repositories, host: PlaceableHost): Promise<string[]> {
    await tx.lockPlacement();
    const active = await tx.watches.listActive();
    const matching = active.filter((watch) => selects(parseWatchSpec(watch.spec, null).hosts, host)).map((w) => w.id);
    await tx.assignments.assign(matching.map((watchId) => ({ watchId, hostId: host.id })));
    await tx.hosts.bumpDesiredGeneration([host.id]);
    return matching;
  }
}
