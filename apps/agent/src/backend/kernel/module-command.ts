/** ArmSpec -> the module's command language (packages/watch-module/README.md), one line each. */
import { ArmSpec, formatTarget, toHex } from '@physwatch/core';

const TARGET_KEY = { paddr: 'paddr', symbol: 'sym', pci_bar: 'bar' } as const;

/** The target and its region: a sentinel's pages are its region, and the module refuses len= with them. */
function target(spec: ArmSpec): string[] {
  const t = spec.target;
  if (t.kind === 'sentinel') return [`sentinel=${t.pages}`, `pattern=${toHex(t.pattern)}`];
  return [`${TARGET_KEY[t.kind]}=${formatTarget(t)}`, `len=${spec.len}`];
}

/** The watch id is the module's id, so /proc/physwatch names watches as the orchestrator does. */
export function addCommand(spec: ArmSpec): string {
  const words = [`add id=${spec.watchId}`, ...target(spec), `width=${spec.width}`, `cond=${spec.condition}`];
  // The module refuses value= with any_change and mask= with anything but mask_equals.
  if (spec.condition !== 'any_change') words.push(`value=${toHex(spec.value)}`);
  if (spec.condition === 'mask_equals') words.push(`mask=${toHex(spec.mask)}`);
  // mode=ftrace runs no timer: the module takes no interval_us then (and 0 is below its 100).
  if (spec.mode !== 'ftrace') words.push(`interval_us=${spec.intervalUs}`);
  words.push(`action=${spec.action}`, `max_hits=${spec.maxHits ?? 0}`);
  // Left out at their defaults, so a timer watch's line is what an older module takes.
  if (spec.rate !== null) words.push(`rate=${spec.rate}`);
  if (spec.mode !== 'timer') words.push(`mode=${spec.mode}`, `funcs=${spec.funcs.join(',')}`);
  return `${words.join(' ')}\n`;
}

export function delCommand(watchId: string): string {
  return `del id=${watchId}\n`;
}
