import type { HitView } from '@physwatch/core';
import { bracketText } from './bracket';
import { renderTable } from './table';

const HIT_HEADERS = ['ID', 'OCCURRED', 'HOST', 'WATCH', 'SEQ', 'PADDR', 'OLD', 'NEW', 'BRACKET', 'CPU', 'TASK', 'ACTION'];

export function hitsTable(hits: readonly HitView[]): string {
  return renderTable(
    HIT_HEADERS,
    hits.map((h) => [h.id, h.occurred_at, h.host_id, h.watch_id, seqText(h), h.paddr, h.old_value, h.new_value, bracketText(h), String(h.cpu), `${h.comm}[${h.pid}]`, h.action]),
  );
}

/** `hits tail` prints as hits come, before column widths are known: one labelled line each. */
export function hitLine(h: HitView): string {
  return `${h.occurred_at}  host ${h.host_id}  watch ${h.watch_id}  seq ${seqText(h)}  ${h.paddr}: ${h.old_value} -> ${h.new_value}  bracket ${bracketText(h)}  cpu ${h.cpu}  ${h.comm}[${h.pid}]  ${h.action}\n`;
}

/** A hit recovered from a crash dump has no agent seq: shown by where it came from. */
function seqText(h: HitView): string {
  return h.seq ?? (h.module_seq ? `vmcore#${h.module_seq}` : 'vmcore');
}
