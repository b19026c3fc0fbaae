import { HostSelection, matchesSelector } from '@physwatch/core';

export interface PlaceableHost {
  id: string;
  labels: Record<string, string>;
}

/** Whether a watch's host selection takes this host: listed by id, or its labels match. */
export function selects(selection: HostSelection, host: PlaceableHost): boolean {
  return selection.kind === 'ids' ? selection.ids.includes(host.id) : matchesSelector(selection.requirements, host.labels);
}

export function selectedHosts(selection: HostSelection, hosts: readonly PlaceableHost[]): string[] {
  return hosts.filter((host) => selects(selection, host)).map((host) => host.id);
}
