/**
 * Audit rows for what agents do over gRPC (enroll, renew, refused, revoked streams), in the
 * same audit_log as REST changes: method "GRPC", the RPC as path, and the HTTP status that
 * means the same (201 issued, 401/403 refused, 400 bad request).
 */
import type { NewAuditEntry } from '@physwatch/db';

export const ENROLL_RPC = '/physwatch.v1.Enrollment/Enroll';
export const CONNECT_RPC = '/physwatch.v1.AgentGateway/Connect';

/** "127.0.0.1:5000", "[::1]:5000", "ipv4:1.2.3.4:5" -> the address alone. */
export function peerAddress(peer: string): string {
  const text = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(text);
  if (bracketed) return bracketed[1];
  const colon = text.lastIndexOf(':');
  return colon > 0 && text.indexOf(':') === colon ? text.slice(0, colon) : text;
}

export function grpcAudit(e: { action: string; hostId: string | null; peer: string; rpc: string; status: number; details: Record<string, unknown> }): NewAuditEntry {
  return {
    tokenId: null,
    tokenName: null,
    tokenRole: null,
    action: e.action,
    target: e.hostId,
    sourceIp: peerAddress(e.peer),
    method: 'GRPC',
    path: e.rpc,
    requestBody: e.details,
    status: e.status,
  };
}
