/** Where a watch lands in simulated memory, or the exact reason it cannot be armed there. */
import { ArmSpec, formatTarget, MAX_REGION_LEN, toHex } from '@physwatch/core';

export type Resolution = { ok: true; paddr: bigint } | { ok: false; reason: string };

export function resolveTarget(
  spec: ArmSpec,
  symbols: Readonly<Record<string, bigint>>,
  memorySize: number,
): Resolution {
  let paddr: bigint;
  if (spec.target.kind === 'paddr') {
    paddr = spec.target.paddr;
  } else if (spec.target.kind === 'pci_bar') {
    return { ok: false, reason: `pci_bar ${formatTarget(spec.target)}: the simulated backend has no PCI devices` };
  } else if (spec.target.kind === 'sentinel') {
    return { ok: false, reason: `${formatTarget(spec.target)}: the simulated backend allocates no sentinel pages (a kernel backend does)` };
  } else {
    const base = Object.prototype.hasOwnProperty.call(symbols, spec.target.name) ? symbols[spec.target.name] : undefined;
    if (base === undefined) {
      return { ok: false, reason: `symbol "${spec.target.name}" not found in the simulated symbol table` };
    }
    paddr = base + spec.target.offset;
  }
  const where = spec.target.kind === 'symbol' ? `${formatTarget(spec.target)} (${toHex(paddr)})` : toHex(paddr);
  if (spec.len <= 0 || spec.len > MAX_REGION_LEN || spec.len % spec.width !== 0) {
    return { ok: false, reason: `len ${spec.len} is not a multiple of width ${spec.width} between ${spec.width} and ${MAX_REGION_LEN}` };
  }
  if (paddr % BigInt(spec.width) !== 0n) {
    return { ok: false, reason: `${where} is not aligned to width ${spec.width}` };
  }
  if (paddr + BigInt(spec.len) > BigInt(memorySize)) {
    return {
      ok: false,
      reason: `${where} + ${spec.len} bytes is beyond simulated memory (memorySize ${toHex(BigInt(memorySize))})`,
    };
  }
  return { ok: true, paddr };
}
