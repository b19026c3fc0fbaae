/**
 * What travels on the Postgres channel when some hosts' desired set changed. Kept small:
 * NOTIFY payloads stop at 8000 bytes, so a watch placed on many hosts is named by its id
 * and each replica looks up which of its own streams care.
 */
export type DesiredEvent =
  | { kind: 'watch'; watchId: string }
  | { kind: 'hosts'; hostIds: string[] }
  /** A host's newest stream; replicas holding an older one for it end theirs. */
  | { kind: 'connected'; hostId: string; connectionId: string }
  /** An admin revoked the host: the replica holding its stream closes it at once. */
  | { kind: 'revoked'; hostId: string }
  /** A kdump job asks the host to crash: the replica holding its stream sends the CrashRequest. */
  | { kind: 'crash'; hostId: string; request: CrashRequestEvent };

/** CrashRequest fields (docs/contracts.md, Kdump); ids as decimal strings. */
export interface CrashRequestEvent {
  request_id: string;
  boot_id: string;
  watch_id: string;
  hit_id: string;
}

export const DESIRED_CHANNEL = 'physwatch_desired';

export function encodeDesiredEvent(event: DesiredEvent): string {
  return JSON.stringify(event);
}

export function decodeDesiredEvent(payload: string): DesiredEvent | null {
  try {
    const value = JSON.parse(payload) as Partial<DesiredEvent> & Record<string, unknown>;
    if (value.kind === 'watch' && typeof value.watchId === 'string') return { kind: 'watch', watchId: value.watchId };
    if (value.kind === 'hosts' && Array.isArray(value.hostIds) && value.hostIds.every((id) => typeof id === 'string')) {
      return { kind: 'hosts', hostIds: value.hostIds };
    }
    if (value.kind === 'connected' && typeof value.hostId === 'string' && typeof value.connectionId === 'string') {
      return { kind: 'connected', hostId: value.hostId, connectionId: value.connectionId };
    }
    if (value.kind === 'revoked' && typeof value.hostId === 'string') return { kind: 'revoked', hostId: value.hostId };
    if (value.kind === 'crash' && typeof value.hostId === 'string' && isCrashRequest(value.request)) {
      const { request_id, boot_id, watch_id, hit_id } = value.request;
      return { kind: 'crash', hostId: value.hostId, request: { request_id, boot_id, watch_id, hit_id } };
    }
    return null;
  } catch {
    return null;
  }
}

function isCrashRequest(value: unknown): value is CrashRequestEvent {
  const r = value as Partial<CrashRequestEvent> | null;
  return typeof r === 'object' && r !== null && [r.request_id, r.boot_id, r.watch_id, r.hit_id].every((v) => typeof v === 'string');
}
