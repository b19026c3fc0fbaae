/**
 * /proc/physwatch, read back: what the module holds right now. An agent that restarts
 * finds its watches here, so it neither loses nor re-adds them.
 */
import { ACTIONS, Action, ArmSpec, Condition, CONDITIONS, parseU64, WATCH_MODES, WatchMode, Width, WatchTarget } from '@physwatch/core';
import type { MemoryKind, PollStats } from '../watch-backend';

export interface ModuleWatch {
  id: string;
  state: 'armed' | 'disarmed';
  /** Everything of the spec the module reports; max_hits, funcs and rate are not among it. */
  spec: Omit<ArmSpec, 'maxHits' | 'funcs' | 'rate'>;
  resolvedPaddr: bigint;
  memoryKind: MemoryKind;
  hits: bigint;
  /** `poll_ns_avg=`, `missed=`, `paced=`; each 0 when the module is too old to say. */
  polling: PollStats;
  err: string | null;
}

export interface ModuleStatus {
  seq: bigint;
  lost: bigint;
  /** The CPU's physical address width (`phys_bits=`); 0 from a module too old to say. */
  physBits: number;
  watches: ModuleWatch[];
}

const SYM = /^sym=([^+\s]+)\+(0x[0-9a-f]+)$/;
const SENTINEL = /^sentinel=([0-9]+)$/;
/** The module prints the device canonically, as the watch spec keeps it. */
const BAR = /^bar=([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\/([0-5])\+(0x[0-9a-f]+)$/;

/**
 * `last` is the first word as the module last read it: /proc/physwatch does not print a
 * sentinel's pattern, and that word holds it unless it was hit (then a watch the agent has
 * no spec for looks changed, and its re-add refills the pages).
 */
function parseTarget(text: string, last: bigint | null): WatchTarget | null {
  const sentinel = SENTINEL.exec(text);
  if (sentinel) return last === null ? null : { kind: 'sentinel', pages: Number(sentinel[1]), pattern: last };
  if (text.startsWith('paddr=')) {
    const paddr = parseU64(text.slice('paddr='.length));
    return paddr === null ? null : { kind: 'paddr', paddr };
  }
  const bar = BAR.exec(text);
  if (bar) return { kind: 'pci_bar', device: bar[1], bar: Number(bar[2]), offset: BigInt(bar[3]) };
  const sym = SYM.exec(text);
  return sym ? { kind: 'symbol', name: sym[1], offset: BigInt(sym[2]) } : null;
}

/** `id=… state=… target=paddr=0x… paddr=0x… … err=TEXT` — err is last and may hold spaces. */
function parseWatchLine(line: string): ModuleWatch | null {
  const errAt = line.indexOf(' err=');
  if (!line.startsWith('id=') || errAt < 0) return null;
  const err = line.slice(errAt + ' err='.length);
  const f = new Map<string, string>();
  let targetText = '';
  for (const token of line.slice(0, errAt).split(' ')) {
    const eq = token.indexOf('=');
    if (eq < 0) return null;
    const key = token.slice(0, eq);
    if (key === 'target') targetText = token.slice(eq + 1);
    else f.set(key, token.slice(eq + 1));
  }
  const target = parseTarget(targetText, parseU64(f.get('last')));
  const nums = ['id', 'paddr', 'len', 'width', 'value', 'mask', 'interval_us', 'hits'].map((k) => parseU64(f.get(k)));
  if (!target || nums.some((n) => n === null)) return null;
  const [id, paddr, len, width, value, mask, intervalUs, hits] = nums as bigint[];
  const condition = f.get('cond') as Condition;
  const action = f.get('action') as Action;
  // A module older than mode= runs timer watches only.
  const mode = (f.get('mode') ?? 'timer') as WatchMode;
  if (!CONDITIONS.includes(condition) || !ACTIONS.includes(action) || !WATCH_MODES.includes(mode)) return null;
  return {
    id: id.toString(),
    state: f.get('state') === 'armed' ? 'armed' : 'disarmed',
    spec: {
      watchId: id.toString(),
      target,
      width: Number(width) as Width,
      len: Number(len),
      condition,
      value,
      mask,
      intervalUs: Number(intervalUs),
      mode,
      action,
    },
    resolvedPaddr: paddr,
    memoryKind: f.get('kind') === 'mmio' ? 'mmio' : 'ram',
    hits,
    polling: {
      nsAvg: parseU64(f.get('poll_ns_avg')) ?? 0n,
      missed: parseU64(f.get('missed')) ?? 0n,
      paced: parseU64(f.get('paced')) ?? 0n,
    },
    err: err === 'none' ? null : err,
  };
}

export function parseProcStatus(text: string): ModuleStatus {
  const [header, ...lines] = text.split('\n');
  const h = new Map(header.split(' ').slice(1).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
  const watches: ModuleWatch[] = [];
  for (const line of lines) {
    const watch = line.trim() === '' ? null : parseWatchLine(line.trim());
    if (watch) watches.push(watch);
  }
  const physBits = Number(parseU64(h.get('phys_bits')) ?? 0n);
  return { seq: parseU64(h.get('seq')) ?? 0n, lost: parseU64(h.get('lost')) ?? 0n, physBits: physBits <= 64 ? physBits : 0, watches };
}
