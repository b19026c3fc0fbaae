import { Injectable } from '@nestjs/common';
import { parseWatchSpec } from '@physwatch/core';
import { AssignmentsRepository, HostsRepository, WatchRow } from '@physwatch/db';
import { DesiredState, toWireWatch, WireWatchSpec } from '@physwatch/proto';

export function toWire(row: WatchRow): WireWatchSpec {
  // Stored specs were validated on the way in; null `now` keeps an expired one valid.
  const spec = parseWatchSpec(row.spec, null);
  return toWireWatch({ ...spec, watchId: row.id });
}

/** The full set a host should run, with its generation: what every DesiredState carries. */
@Injectable()
export class DesiredStateService {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly assignments: AssignmentsRepository,
  ) {}

  async forHost(hostId: string): Promise<DesiredState | null> {
    // Generation first, then the set: a change committed in between shows up in the set
    // under the older generation and is sent again with the newer one. The other order
    // could pair a new generation with an old set, and the resend would be skipped.
    const host = await this.hosts.get(hostId, 0);
    if (!host) return null;
    const watches = await this.assignments.desiredWatches(hostId);
    return { generation: host.desiredGeneration, watches: watches.map(toWire) };
  }
}
