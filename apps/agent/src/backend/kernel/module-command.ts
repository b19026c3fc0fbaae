/** ArmSpec -> the module's command language (packages/watch-module/README.md), one line each. */
import { ArmSpec, toHex } from '@physwatch/core';

function target(spec: ArmSpec): string {
  if (spec.target.kind === 'paddr') return `paddr=${toHex(spec.target.paddr)}`;
  return spec.target.offset === 0n ? `sym=${spec.target.name}` : `sym=${spec.target.name}+${toHex(spec.target.offset)}`;
}

/** The watch id is the module's id, so /proc/physwatch names watches as the orchestrator does. */
export function addCommand(spec: ArmSpec): string {
  const words = [`add id=${spec.watchId}`, target(spec), `len=${spec.len}`, `width=${spec.width}`, `cond=${spec.condition}`];
  // The module refuses value= with any_change and mask= with anything but mask_equals.
  if (spec.condition !== 'any_change') words.push(`value=${toHex(spec.value)}`);
  if (spec.condition === 'mask_equals') words.push(`mask=${toHex(spec.mask)}`);
  words.push(`interval_us=${spec.intervalUs}`, `action=${spec.action}`, `max_hits=${spec.maxHits ?? 0}`);
  return `${words.join(' ')}\n`;
}

export function delCommand(watchId: string): string {
  return `del id=${watchId}\n`;
}
