/**
 * The kernel module's event lines (packages/watch-module/README.md, "Events: the line
 * format"), parsed exactly. The same text arrives three ways: a read() of /dev/physwatch,
 * a /dev/kmsg record, and the dmesg saved with a vmcore (`[  9.53] physwatch: hit …`),
 * so one parser serves the agent and the kdump work alike.
 */
import { HIT_WRITERS, HitWriter, isWriterReason, MODULE_STACK_FRAMES } from './hit-writer';
import { parseU64 } from './u64';

export type ModuleAction = 'report' | 'stack' | 'panic' | 'hang';

export interface ModuleHitEvent {
  kind: 'hit';
  seq: bigint;
  id: bigint;
  realtimeNs: bigint;
  boottimeNs: bigint;
  cpu: number;
  paddr: bigint;
  offset: number;
  width: 1 | 2 | 4 | 8;
  oldValue: bigint;
  newValue: bigint;
  pid: number;
  comm: string;
  /** `%pS` of the interrupted instruction, or a hex address for user space. */
  ip: string;
  src: 'timer' | 'ftrace';
  action: ModuleAction;
  /**
   * Boot time of the last check that saw the word still holding oldValue: the write
   * happened in (lastOldNs, boottimeNs]. Null when not known: a line from a module
   * that did not print it (an older vmcore's dmesg), or `last_old_ns=0`, which the
   * module prints where no check saw the old value (a seed value already there).
   */
  lastOldNs: bigint | null;
  /**
   * Who made the write (hit-writer.ts); null from a module that does not say. With `cpu`,
   * cpu, pid, comm, ip and stack are the writing CPU's and task's.
   */
  writer: HitWriter | null;
  /** writer_why=: why writer is `unknown`; null otherwise. */
  writerReason: string | null;
  /** SMIs counted in the bracket; null when not known (`smi=-`, or a module that does not say). */
  smiCount: bigint | null;
  /** One `%pS`-like frame each, innermost first; empty when the module captured none. */
  stack: string[];
}

export interface ModuleOverflowEvent {
  kind: 'overflow';
  seq: bigint;
  lost: bigint;
}

export interface ModuleSuppressedEvent {
  kind: 'suppressed';
  seq: bigint;
  id: bigint;
  count: bigint;
}

export type ModuleEvent = ModuleHitEvent | ModuleOverflowEvent | ModuleSuppressedEvent;

const HIT_KEYS = ['seq', 'id', 'realtime_ns', 'boottime_ns', 'cpu', 'paddr', 'offset', 'width', 'old', 'new', 'pid', 'comm', 'ip', 'src', 'action'];
/** The module's layout since it records the bracket: one key more, at the end. */
const HIT_KEYS_BRACKET = [...HIT_KEYS, 'last_old_ns'];
/**
 * Since it says who wrote: writer=, writer_why= only with writer=unknown, smi=, and stack=
 * only when it captured one. Every layout the module has printed, oldest first; a line
 * matches at most one (each has a different number of keys or a different key in a place).
 */
const WRITER_TAILS = [['writer', 'smi'], ['writer', 'writer_why', 'smi']];
const HIT_LAYOUTS = [HIT_KEYS, HIT_KEYS_BRACKET, ...WRITER_TAILS.flatMap((tail) => [[...HIT_KEYS_BRACKET, ...tail], [...HIT_KEYS_BRACKET, ...tail, 'stack']])];
const OVERFLOW_KEYS = ['seq', 'lost'];
const SUPPRESSED_KEYS = ['seq', 'id', 'count'];
const ACTIONS: readonly string[] = ['report', 'stack', 'panic', 'hang'];
/**
 * A stack= frame: `sym+0xOFF/0xLEN`, `sym+0xOFF/0xLEN[module]` in a module, `0x<hex>` without
 * a symbol. Symbols may hold dots (`foo.cold`, `foo.isra.0`).
 */
const STACK_FRAME = /^(?:[A-Za-z0-9_.$]+\+0x[0-9a-f]+\/0x[0-9a-f]+(?:\[[A-Za-z0-9_-]+\])?|0x[0-9a-f]+)$/;
/** The kernel-log forms: an optional `[ seconds]` timestamp, then the module's pr_fmt prefix. */
const LOG_PREFIX = /^(?:\[\s*\d+\.\d+\]\s*)?physwatch: /;

/**
 * `ip=%pS` of an address in a loadable module ends in ` [module]` (` [module buildid]` on
 * kernels with CONFIG_STACKTRACE_BUILD_ID): those tokens belong to the ip.
 */
function joinModuleSuffix(tokens: string[]): string[] {
  const at = tokens.findIndex((t) => t.startsWith('ip='));
  if (at < 0 || !tokens[at + 1]?.startsWith('[')) return tokens;
  for (let end = at + 1; end <= at + 2 && end < tokens.length; end++) {
    if (tokens[end].endsWith(']')) return [...tokens.slice(0, at), tokens.slice(at, end + 1).join(' '), ...tokens.slice(end + 1)];
  }
  return tokens;
}

/**
 * Splits `verb k=v k=v …` and checks the keys are exactly `keys`, in that order: the
 * module prints a fixed layout, so anything else is not one of its lines. `comm` has no
 * spaces (the module turns them into `?`), and the only other space is the module suffix
 * of `ip`, so splitting on spaces is exact.
 */
function fields(body: string, verb: string, keys: readonly string[]): Map<string, string> | null {
  const tokens = joinModuleSuffix(body.split(' '));
  if (tokens[0] !== verb || tokens.length !== keys.length + 1) return null;
  const out = new Map<string, string>();
  for (let i = 0; i < keys.length; i++) {
    const token = tokens[i + 1];
    const eq = token.indexOf('=');
    if (eq < 0 || token.slice(0, eq) !== keys[i]) return null;
    out.set(keys[i], token.slice(eq + 1));
  }
  return out;
}

function u64(text: string | undefined): bigint | null {
  return text === undefined || text === '' ? null : parseU64(text);
}

/** A `%llu` exactly: decimal digits only, within u64. */
function decimalU64(text: string | undefined): bigint | null {
  return text !== undefined && /^[0-9]+$/.test(text) ? parseU64(text) : null;
}

function small(text: string | undefined): number | null {
  const value = u64(text);
  return value !== null && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

interface WriterFields {
  writer: HitWriter | null;
  writerReason: string | null;
  smiCount: bigint | null;
  stack: string[];
}

/** writer=, writer_why=, smi= and stack=, or null when any is not what the module prints. */
function writerFields(f: Map<string, string>): WriterFields | null {
  // A module older than writer= does not say.
  if (!f.has('writer')) return { writer: null, writerReason: null, smiCount: null, stack: [] };
  const writer = HIT_WRITERS.find((w) => w === f.get('writer'));
  // A reason exactly when the writer is unknown.
  const reason = f.get('writer_why');
  if (writer === undefined || (writer === 'unknown') !== (reason !== undefined)) return null;
  if (reason !== undefined && !isWriterReason(reason)) return null;
  const smi = f.get('smi');
  const smiCount = smi === '-' ? null : decimalU64(smi);
  if (smi !== '-' && smiCount === null) return null;
  const frames = f.get('stack')?.split(',') ?? [];
  if (frames.length > MODULE_STACK_FRAMES || !frames.every((frame) => STACK_FRAME.test(frame))) return null;
  return { writer, writerReason: reason ?? null, smiCount, stack: frames };
}

function parseHit(f: Map<string, string>): ModuleHitEvent | null {
  const [seq, id, realtimeNs, boottimeNs, paddr, oldValue, newValue] = ['seq', 'id', 'realtime_ns', 'boottime_ns', 'paddr', 'old', 'new'].map((k) => u64(f.get(k)));
  const [cpu, offset, width, pid] = ['cpu', 'offset', 'width', 'pid'].map((k) => small(f.get(k)));
  const src = f.get('src');
  const action = f.get('action') ?? '';
  if (seq === null || id === null || realtimeNs === null || boottimeNs === null || paddr === null || oldValue === null || newValue === null) return null;
  if (cpu === null || offset === null || pid === null || (width !== 1 && width !== 2 && width !== 4 && width !== 8)) return null;
  if ((src !== 'timer' && src !== 'ftrace') || !ACTIONS.includes(action)) return null;
  let lastOldNs: bigint | null = null;
  if (f.has('last_old_ns')) {
    const value = decimalU64(f.get('last_old_ns'));
    // The module reads the clock for last_old_ns before it reads it for boottime_ns.
    if (value === null || value > boottimeNs) return null;
    lastOldNs = value === 0n ? null : value;
  }
  const writer = writerFields(f);
  if (writer === null) return null;
  return {
    kind: 'hit',
    seq,
    id,
    realtimeNs,
    boottimeNs,
    cpu,
    paddr,
    offset,
    width,
    oldValue,
    newValue,
    pid,
    comm: f.get('comm') ?? '',
    ip: f.get('ip') ?? '',
    src,
    action: action as ModuleAction,
    lastOldNs,
    ...writer,
  };
}

/**
 * One line in any of its three forms -> the event, or null when it is not an event line
 * of the module (other kernel log lines, command errors, a torn line).
 */
export function parseModuleEvent(line: string): ModuleEvent | null {
  const body = line.trim().replace(LOG_PREFIX, '');
  const verb = body.slice(0, body.indexOf(' '));
  if (verb === 'hit') {
    for (const keys of HIT_LAYOUTS) {
      const f = fields(body, 'hit', keys);
      if (f) return parseHit(f);
    }
    return null;
  }
  if (verb === 'overflow') {
    const f = fields(body, 'overflow', OVERFLOW_KEYS);
    const [seq, lost] = [u64(f?.get('seq')), u64(f?.get('lost'))];
    return seq !== null && lost !== null ? { kind: 'overflow', seq, lost } : null;
  }
  if (verb === 'suppressed') {
    const f = fields(body, 'suppressed', SUPPRESSED_KEYS);
    const [seq, id, count] = [u64(f?.get('seq')), u64(f?.get('id')), u64(f?.get('count'))];
    return seq !== null && id !== null && count !== null ? { kind: 'suppressed', seq, id, count } : null;
  }
  return null;
}

/** Every event in a block of text (a read() of several lines, or a saved dmesg). */
export function parseModuleEvents(text: string): ModuleEvent[] {
  const events: ModuleEvent[] = [];
  for (const line of text.split('\n')) {
    const event = parseModuleEvent(line);
    if (event) events.push(event);
  }
  return events;
}
