import type { AuditRow } from '@physwatch/db';

export interface AuditJson {
  id: string;
  at: string;
  token_id: string | null;
  token_name: string | null;
  token_role: string | null;
  action: string;
  target: string | null;
  source_ip: string;
  method: string;
  path: string;
  request_body: unknown;
  status: number;
}

export function auditJson(row: AuditRow): AuditJson {
  return {
    id: row.id,
    at: row.at.toISOString(),
    token_id: row.tokenId,
    token_name: row.tokenName,
    token_role: row.tokenRole,
    action: row.action,
    target: row.target,
    source_ip: row.sourceIp,
    method: row.method,
    path: row.path,
    request_body: row.requestBody,
    status: row.status,
  };
}
