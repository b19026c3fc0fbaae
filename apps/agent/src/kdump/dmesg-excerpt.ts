/**
 * The part of a crashed kernel's dmesg worth storing with its vmcore: at most 64 lines and
 * 16 KiB, chosen by what matters most (the panic, then the module's lines, then the
 * tail, newest first) and printed in their original order.
 */
const MAX_LINES = 64;
const MAX_BYTES = 16 * 1024;

const PANIC = /Kernel panic/;
const MODULE = /physwatch: /;

function priority(line: string): number {
  if (PANIC.test(line)) return 0;
  return MODULE.test(line) ? 1 : 2;
}

export function dmesgExcerpt(text: string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // Newest first inside each priority, so a flood of module lines keeps its latest ones.
  const order = lines.map((_line, i) => i).sort((a, b) => priority(lines[a]) - priority(lines[b]) || b - a);
  const picked: number[] = [];
  let bytes = 0;
  for (const i of order) {
    const cost = Buffer.byteLength(lines[i]) + 1;
    if (picked.length === MAX_LINES) break;
    if (bytes + cost > MAX_BYTES) continue;
    picked.push(i);
    bytes += cost;
  }
  return picked
    .sort((a, b) => a - b)
    .map((i) => `${lines[i]}\n`)
    .join('');
}
