/** A paddr target the host's CPU cannot address, refused before any backend touches it. */
import { ArmSpec, toHex } from '@physwatch/core';

/** The reason `spec` cannot be armed under `physBits` (0: not known, nothing refused), or null. */
export function beyondPhysBits(spec: ArmSpec, physBits: number, source: string): string | null {
  if (spec.target.kind !== 'paddr' || physBits <= 0 || physBits >= 64) return null;
  const end = spec.target.paddr + BigInt(spec.len) - 1n;
  if (end >> BigInt(physBits) === 0n) return null;
  const what = spec.len === spec.width ? `paddr ${toHex(spec.target.paddr)}` : `paddr ${toHex(spec.target.paddr)} + len ${spec.len}`;
  return `${what} is beyond this host's ${physBits} physical address bits (${source})`;
}
