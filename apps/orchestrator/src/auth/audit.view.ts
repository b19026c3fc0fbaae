import type { AuditEntryView } from '@physwatch/core';
import type { AuditRow } from '@physwatch/db';

export function auditJson(row: AuditRow): AuditEntryView {
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
