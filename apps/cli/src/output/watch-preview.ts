/** `--dry-run`: where a watch would go, as POST /watches/preview answers it. */
import type { WatchPreviewView } from '@physwatch/core';
import { renderTable } from './table';

export function previewText(p: WatchPreviewView, what: string): string {
  const head = `dry run: ${what}; nothing was created.\nwould be placed now on ${p.placed.length} host(s)${p.placed.length ? `: ${p.placed.join(', ')}` : ''}\n`;
  if (p.waiting.length === 0) return head;
  return `${head}${p.waiting.length} selected host(s) would wait:\n${renderTable(['HOST', 'REASON', 'MESSAGE'], p.waiting.map((w) => [w.host_id, w.reason, w.message]))}`;
}
