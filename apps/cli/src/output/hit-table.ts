import type { HitView } from '@physwatch/core';
import { bracketText } from './bracket';
import { renderTable } from './table';

const HIT_HEADERS = ['ID', 'OCCURRED', 'HOST', 'WATCH', 'SEQ', 'PADDR', 'OLD', 'NEW', 'BRACKET', 'WRITER', 'CPU', 'TASK', 'ACTION'];

export function hitsTable(hits: readonly HitView[]): string {
  return renderTable(
    HIT_HEADERS,
    hits.map((h) => [h.id, h.occurred_at, h.host_id, h.watch_id, seqText(h), h.paddr, h.old_value, h.new_value, bracketText(h), writerText(h), String(h.cpu), `${h.comm}[${h.pid}]`, h.action]),
  );
}

/** `hits tail` prints as hits come, before column widths are known: one labelled line each. */
export function hitLine(h: HitView): string {
  return `${h.occurred_at}  host ${h.host_id}  watch ${h.watch_id}  seq ${seqText(h)}  ${h.paddr}: ${h.old_value} -> ${h.new_value}  bracket ${bracketText(h)}  writer ${writerText(h)}  cpu ${h.cpu}  ${h.comm}[${h.pid}]  ${h.action}\n`;
}

/** `hits describe`: one hit in full, its stack a frame a line. */
export function describeHit(h: HitView): string {
  const cpuIs = h.writer === 'cpu' ? 'the writer' : 'interrupted';
  const fields: Array<[string, string]> = [
    ['Hit', h.id],
    ['Occurred', h.occurred_at],
    ['Host', `${h.host_id}  boot ${h.boot_id}`],
    ['Watch', h.watch_id],
    ['Seq', h.source === 'vmcore' ? `${seqText(h)} (recovered from a crash dump)` : seqText(h)],
    ['Address', `${h.paddr} (offset ${h.offset}, width ${h.width})`],
    ['Change', `${h.old_value} -> ${h.new_value}`],
    ['Bracket', h.bracket_ns === null ? '- (not recorded)' : `${bracketText(h)} (${h.last_old_boottime_ns}, ${h.boottime_ns}] ns since boot`],
    ['Writer', writerMeaning(h)],
    ['SMIs', h.smi_count === null ? '- (not known)' : `${h.smi_count} in the bracket`],
    ['CPU', `${h.cpu} (${cpuIs})`],
    ['Task', `${h.comm}[${h.pid}] (${cpuIs})`],
    ['IP', h.ip],
    ['Action', h.action],
  ];
  const label = Math.max(...fields.map(([k]) => k.length)) + 2;
  const head = fields.map(([k, v]) => `${(k + ':').padEnd(label)}${v}`).join('\n') + '\n';
  const stack = h.stack.length === 0 ? '(no stack captured)\n' : h.stack.map((frame) => `  ${frame}\n`).join('');
  return `${head}\nStack:\n${stack}`;
}

/** The WRITER column: "unknown (no_slot)" says why; "-" when the backend did not say. */
function writerText(h: HitView): string {
  if (h.writer === null) return '-';
  return h.writer === 'unknown' && h.writer_reason ? `unknown (${h.writer_reason})` : h.writer;
}

function writerMeaning(h: HitView): string {
  switch (h.writer) {
    case 'cpu':
      return 'cpu: a CPU wrote it through the kernel map (a breakpoint fired in the bracket)';
    case 'no_cpu_via_kernel_map':
      return 'no_cpu_via_kernel_map: no CPU wrote it through the kernel map (a device, firmware, the memory itself, or a CPU through another mapping)';
    case 'unknown':
      return `unknown: no breakpoint could watch the word (${h.writer_reason ?? 'no reason given'})`;
    default:
      return '- (the backend did not say)';
  }
}

/** A hit recovered from a crash dump has no agent seq: shown by where it came from. */
function seqText(h: HitView): string {
  return h.seq ?? (h.module_seq ? `vmcore#${h.module_seq}` : 'vmcore');
}
