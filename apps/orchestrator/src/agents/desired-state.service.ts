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
    return (await this.forHosts([hostId])).get(hostId) ?? null;
  }

  /**
   * Many hosts in two queries, so a watch reaching thousands of hosts is not thousands of
   * round trips. Generations first, then the sets: a change committed in between shows up
   * in a set under the older generation and is sent again with the newer one. The other
   * order could pair a new generation with an old set, and the resend would be skipped.
   */
  async forHosts(hostIds: readonly string[]): Promise<Map<string, DesiredState>> {
    const generations = await this.hosts.desiredGenerations(hostIds);
    const rows = await this.assignments.desiredWatchesForHosts([...generations.keys()]);
    const wire = new Map<string, WireWatchSpec>();
    const states = new Map<string, DesiredState>([...generations].map(([id, generation]) => [id, { generation, watches: [] as WireWatchSpec[] }]));
    for (const row of rows) {
      if (!wire.has(row.id)) wire.set(row.id, toWire(row));
      (states.get(row.hostId)!.watches as WireWatchSpec[]).push(wire.get(row.id)!);
    }
    return states;
  }
}
