import type { AuditEntryView, TokenView } from '@physwatch/core';
import { renderTable } from './table';

export function tokensTable(tokens: readonly TokenView[]): string {
  return renderTable(
    ['ID', 'NAME', 'ROLE', 'PREFIX', 'STATE', 'LAST USED', 'CREATED'],
    tokens.map((t) => [t.id, t.name, t.role, t.prefix || (t.bootstrap ? '(PHYSWATCH_ADMIN_TOKEN)' : '-'), t.revoked_at ? `revoked ${t.revoked_at}` : 'active', t.last_used_at ?? '-', t.created_at]),
  );
}

export function auditTable(entries: readonly AuditEntryView[]): string {
  return renderTable(
    ['ID', 'AT', 'WHO', 'ACTION', 'TARGET', 'STATUS', 'FROM', 'REQUEST'],
    entries.map((e) => [
      e.id,
      e.at,
      e.token_id === null ? '(no token)' : `${e.token_name} (${e.token_role}, token ${e.token_id})`,
      e.action,
      e.target ?? '-',
      String(e.status),
      e.source_ip,
      `${e.method} ${e.path}`,
    ]),
  );
}
