/**
 * What a host can hold, read from the Capabilities its agent sent in Hello (stored as
 * hosts.capabilities jsonb, proto field names, enum names as strings), and whether one
 * watch fits it. The scheduler keeps a watch off a host that cannot run it and says why,
 * instead of sending it for the agent to fail.
 */
import { toHex } from './u64';
import { MAX_PADDR, WATCH_MODES, WatchMode, WatchSpec, WatchTarget } from './watch-spec';

export type TargetKind = WatchTarget['kind'];
export const TARGET_KINDS: readonly TargetKind[] = ['paddr', 'symbol', 'pci_bar', 'sentinel'];

/** Proto enum names as the agent sends them, e.g. WATCH_MODE_FTRACE, TARGET_KIND_PCI_BAR. */
export const WIRE_MODES: Readonly<Record<string, WatchMode>> = Object.fromEntries(WATCH_MODES.map((m) => [`WATCH_MODE_${m.toUpperCase()}`, m]));
export const WIRE_TARGET_KINDS: Readonly<Record<string, TargetKind>> = Object.fromEntries(TARGET_KINDS.map((k) => [`TARGET_KIND_${k.toUpperCase()}`, k]));

/** x86-64 and arm64 stop at 52; Capabilities.phys_addr_bits 0 means "not known, assume 52". */
export const DEFAULT_PHYS_ADDR_BITS = 52;

export interface HostLimits {
  modes: readonly WatchMode[];
  /** null: the agent did not list them (nothing refused by kind). */
  targetKinds: readonly TargetKind[] | null;
  physAddrBits: number;
}

export interface WatchNeeds {
  mode: WatchMode;
  target: WatchTarget;
  len: number;
}

export function watchNeeds(spec: Pick<WatchSpec, 'mode' | 'target' | 'len'>): WatchNeeds {
  return { mode: spec.mode, target: spec.target, len: spec.len };
}

function names<T>(input: unknown, table: Readonly<Record<string, T>>): T[] | null {
  if (!Array.isArray(input)) return null;
  const out = input.map((v) => (typeof v === 'string' ? table[v] : undefined)).filter((v): v is T => v !== undefined);
  return [...new Set(out)];
}

/**
 * null when the host sent no capabilities (nothing is refused). An agent from before
 * Capabilities.modes sends none: it runs timer watches only.
 */
export function hostLimits(capabilities: Readonly<Record<string, unknown>> | null | undefined): HostLimits | null {
  if (!capabilities || Object.keys(capabilities).length === 0) return null;
  const modes = names(capabilities.modes, WIRE_MODES);
  const kinds = names(capabilities.target_kinds, WIRE_TARGET_KINDS);
  const bits = Number(capabilities.phys_addr_bits ?? 0);
  return {
    modes: modes && modes.length > 0 ? modes : ['timer'],
    targetKinds: kinds && kinds.length > 0 ? kinds : null,
    physAddrBits: Number.isInteger(bits) && bits > 0 && bits <= DEFAULT_PHYS_ADDR_BITS ? bits : DEFAULT_PHYS_ADDR_BITS,
  };
}

/** Why `host` cannot run the watch (naming the limit and the host's value), or null. */
export function unsupportedReason(needs: WatchNeeds, host: HostLimits): string | null {
  if (!host.modes.includes(needs.mode)) return `mode ${needs.mode} is not among this host's modes (${host.modes.join(', ')})`;
  const kind = needs.target.kind;
  if (host.targetKinds && !host.targetKinds.includes(kind)) return `${kind} targets are not among this host's target kinds (${host.targetKinds.join(', ')})`;
  if (kind === 'paddr') {
    const { paddr } = needs.target as Extract<WatchTarget, { kind: 'paddr' }>;
    const last = paddr + BigInt(needs.len) - 1n;
    if (last > MAX_PADDR || last >> BigInt(host.physAddrBits) !== 0n) {
      const what = paddr >> BigInt(host.physAddrBits) !== 0n ? `paddr ${toHex(paddr)} is` : `paddr ${toHex(paddr)} + len ${needs.len} runs`;
      return `${what} beyond this host's ${host.physAddrBits} physical address bits`;
    }
  }
  return null;
}
