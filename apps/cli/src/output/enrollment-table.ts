import type { EnrollmentTokenView, HostRevocationView } from '@physwatch/core';
import { renderTable } from './table';

function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length === 0 ? '-' : pairs.join(',');
}

export function enrollmentTokensTable(tokens: readonly EnrollmentTokenView[]): string {
  return renderTable(
    ['ID', 'NAME', 'PREFIX', 'STATE', 'USES', 'EXPIRES', 'LABELS', 'CREATED'],
    tokens.map((t) => [t.id, t.name, t.prefix, t.state, `${t.uses}/${t.max_uses}`, t.expires_at, labelsText(t.labels), t.created_at]),
  );
}

export function revocationText(r: HostRevocationView): string {
  return `host ${r.host_id} revoked at ${r.revoked_at} (${r.certificates_revoked} certificate${r.certificates_revoked === 1 ? '' : 's'}); it cannot connect until it is enrolled again\n`;
}
