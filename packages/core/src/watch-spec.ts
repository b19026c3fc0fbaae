/**
 * The watch spec: what to watch, when it counts as a hit, how often to look, what to do,
 * and on which hosts. `parseWatchSpec` is the only way from untrusted input to a
 * WatchSpec; `watchSpecToJson` is its inverse, used for the API and for storage.
 */
import { FieldError, ValidationError } from './validation-error';
import { formatInterval, parseInterval } from './interval';
import { readRollout, Rollout, RolloutJson, rolloutToJson } from './rollout';
import { parseSelector, Requirement, SelectorSyntaxError } from './selector';
import { maxForWidth, parseU64, toHex, U64_MAX } from './u64';

export const WIDTHS = [1, 2, 4, 8] as const;
export type Width = (typeof WIDTHS)[number];

export const CONDITIONS = ['equals', 'changes_from', 'any_change', 'mask_equals'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const ACTIONS = ['report', 'stack', 'panic', 'hang'] as const;
export type Action = (typeof ACTIONS)[number];

/** timer: poll every interval; ftrace: check on entry to each of `funcs` (no timer); both. */
export const WATCH_MODES = ['timer', 'ftrace', 'both'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

/** x86-64 and arm64 both stop at 52 physical address bits. */
export const MAX_PADDR = (1n << 52n) - 1n;
export const MAX_REGION_LEN = 64 * 1024;
export const MAX_EXPLICIT_HOSTS = 10_000;
/** The kernel's KSYM_NAME_LEN (512) less its NUL: no longer name is in kallsyms. */
export const MAX_SYMBOL_NAME_LENGTH = 511;
/** The module's PW_FUNCS_MAX. */
export const MAX_FUNCS = 8;
/** The module's PW_SYM_MAX (128) less its NUL: `funcs=` refuses a longer name. */
export const MAX_FUNC_NAME_LENGTH = 127;
/**
 * The module takes one command of at most 1024 bytes; the rest of the longest `add` takes
 * about 300, so the comma-joined `funcs=` list gets the remainder.
 */
export const MAX_FUNCS_TEXT_LENGTH = 700;
/** The module's `rate=` bound (its parser takes 0..2^31-1, 0 meaning no limit). */
export const MAX_RATE = 2_147_483_647;
export const MAX_PCI_BAR = 5;
/** The module's PW_SENTINEL_MAX_PAGES: 16 pages of 4 KiB, its 64 KiB region limit. */
export const MAX_SENTINEL_PAGES = 16;
export const SENTINEL_PAGE_SIZE = 4096;
/** The module's fill when pattern= is not given, cut to the watch's width. */
export const DEFAULT_SENTINEL_PATTERN = 0x5a5a5a5a5a5a5a5an;

export type WatchTarget =
  | { kind: 'paddr'; paddr: bigint }
  | { kind: 'symbol'; name: string; offset: bigint }
  /** `device` is canonical "dddd:bb:dd.f" (lower-case hex, as in /sys/bus/pci/devices). */
  | { kind: 'pci_bar'; device: string; bar: number; offset: bigint }
  /** Pages the backend allocates and fills with `pattern` itself: each host's are its own. */
  | { kind: 'sentinel'; pages: number; pattern: bigint };

export type HostSelection =
  | { kind: 'ids'; ids: string[] }
  | { kind: 'selector'; selector: string; requirements: Requirement[] };

export interface WatchSpec {
  name: string | null;
  target: WatchTarget;
  width: Width;
  len: number;
  condition: Condition;
  /** Zero for any_change. */
  value: bigint;
  /** All ones of the width unless the condition is mask_equals. */
  mask: bigint;
  /** 0 for mode ftrace, which runs no timer. */
  intervalUs: number;
  mode: WatchMode;
  /** Kernel functions whose entry checks the watch; empty for mode timer. */
  funcs: string[];
  /** Hits per second one host reports; the rest are counted as suppressed. null = no limit. */
  rate: number | null;
  action: Action;
  hosts: HostSelection;
  expiresAt: Date | null;
  /** Not placed anywhere before this time. */
  startsAt: Date | null;
  maxHits: number | null;
  /** A host that stored this many hits of the watch drops it. */
  maxHitsPerHost: number | null;
  /** After a hit is stored, the orchestrator may crash the host into kdump (report/stack only). */
  kdumpOnHit: boolean;
  rollout: Rollout;
}

/** The JSON form accepted by the API and stored in the database. */
export interface WatchSpecJson {
  name?: string | null;
  target:
    | { paddr: string }
    | { symbol: string }
    | { pci_bar: { device: string; bar: number; offset?: string } }
    | { sentinel: { pages: number; pattern?: string } };
  width: number;
  /** Absent for a sentinel target: its pages are the region. */
  len?: number;
  condition: Condition;
  value?: string;
  mask?: string;
  /** Absent for mode ftrace. */
  interval?: string;
  mode?: WatchMode;
  funcs?: string[];
  rate?: number | null;
  action?: Action;
  hosts: { ids: string[] } | { selector: string };
  expires_at?: string | null;
  starts_at?: string | null;
  max_hits?: number | null;
  max_hits_per_host?: number | null;
  kdump_on_hit?: boolean;
  rollout?: RolloutJson;
}

const TOP_LEVEL_KEYS = [
  'name', 'target', 'width', 'len', 'condition', 'value', 'mask', 'interval', 'action', 'hosts', 'expires_at', 'max_hits',
  'starts_at', 'max_hits_per_host', 'kdump_on_hit', 'rollout', 'mode', 'funcs', 'rate',
];
/** "0x" and 16 hex digits, or 20 decimal ones, with room for leading zeros. */
const OFFSET_TEXT_MAX = 64;
const SYMBOL = /^([A-Za-z_.][A-Za-z0-9_.$]*)(?:\+(0x[0-9a-fA-F]+|[0-9]+))?$/;
const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const FUNC_NAME = /^[A-Za-z_.][A-Za-z0-9_.$]*$/;
/** The module's bar= device: hex domain (<= ffff), bus (<= ff), device (<= 1f), function 0..7. */
const PCI_DEVICE = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})\.([0-7])$/;

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

function describe(input: unknown): string {
  return JSON.stringify(input) ?? String(input);
}

class SpecReader {
  readonly errors: FieldError[] = [];

  fail(field: string, reason: string): undefined {
    this.errors.push({ field, reason });
    return undefined;
  }

  unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(prefix + key, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  oneOf<T extends string | number>(field: string, input: unknown, allowed: readonly T[]): T | undefined {
    if (allowed.includes(input as T)) return input as T;
    return this.fail(field, `${describe(input)} is not one of ${allowed.join(', ')}`);
  }

  u64(field: string, input: unknown): bigint | undefined {
    const parsed = parseU64(input);
    if (parsed === null) return this.fail(field, `${describe(input)} is not an unsigned 64-bit number ("0x…" hex or decimal)`);
    return parsed;
  }

  positiveInt(field: string, input: unknown, max: number): number | undefined {
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 1 || input > max) {
      return this.fail(field, `${describe(input)} is not a whole number from 1 to ${max}`);
    }
    return input;
  }
}

/** A name the module's funcs= takes (its sym_char rules and PW_SYM_MAX). */
export function isFuncName(name: string): boolean {
  return name.length <= MAX_FUNC_NAME_LENGTH && FUNC_NAME.test(name);
}

/** Canonical "dddd:bb:dd.f", or null when `text` is not the module's device syntax. */
export function parsePciDevice(text: string): string | null {
  const m = text.length <= 32 ? PCI_DEVICE.exec(text) : null;
  if (!m) return null;
  const [domain, bus, device] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16));
  if (bus > 0xff || device > 0x1f) return null;
  const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(device, 2)}.${m[4]}`;
}

function readPciBar(r: SpecReader, input: unknown): WatchTarget | undefined {
  if (!isObject(input)) return r.fail('target.pci_bar', 'must be an object { "device": "0000:00:04.0", "bar": 0..5, "offset": "0x0" }');
  r.unknownKeys(input, ['device', 'bar', 'offset'], 'target.pci_bar.');
  const device = typeof input.device === 'string' ? parsePciDevice(input.device.trim()) : null;
  if (device === null) {
    r.fail('target.pci_bar.device', `${describe(input.device)} is not a PCI device "domain:bus:device.function" (hex, e.g. "0000:00:04.0"; device at most 1f, function 0..7)`);
  }
  const bar = input.bar;
  const barOk = typeof bar === 'number' && Number.isInteger(bar) && bar >= 0 && bar <= MAX_PCI_BAR;
  if (!barOk) r.fail('target.pci_bar.bar', `${describe(bar)} is not a BAR number from 0 to ${MAX_PCI_BAR}`);
  const offset = input.offset === undefined ? 0n : r.u64('target.pci_bar.offset', input.offset);
  if (device === null || !barOk || offset === undefined) return undefined;
  return { kind: 'pci_bar', device, bar: bar as number, offset };
}

/** `width` as given, only to cut the default pattern; a bad one is named by its own check. */
function readSentinel(r: SpecReader, input: unknown, width: unknown): WatchTarget | undefined {
  if (!isObject(input)) return r.fail('target.sentinel', `must be an object { "pages": 1..${MAX_SENTINEL_PAGES}, "pattern": "0x5a5a5a5a" }`);
  r.unknownKeys(input, ['pages', 'pattern'], 'target.sentinel.');
  const pages = input.pages === undefined
    ? r.fail('target.sentinel.pages', `required: 1 to ${MAX_SENTINEL_PAGES} pages of ${SENTINEL_PAGE_SIZE} bytes`)
    : r.positiveInt('target.sentinel.pages', input.pages, MAX_SENTINEL_PAGES);
  const cut = WIDTHS.includes(width as Width) ? maxForWidth(width as Width) : U64_MAX;
  const pattern = input.pattern === undefined ? DEFAULT_SENTINEL_PATTERN & cut : r.u64('target.sentinel.pattern', input.pattern);
  if (pages === undefined || pattern === undefined) return undefined;
  return { kind: 'sentinel', pages, pattern };
}

const TARGET_KEYS = ['paddr', 'symbol', 'pci_bar', 'sentinel'];

function readTarget(r: SpecReader, input: unknown, width: unknown): WatchTarget | undefined {
  if (!isObject(input)) return r.fail('target', 'required: an object with "paddr", "symbol", "pci_bar" or "sentinel"');
  r.unknownKeys(input, TARGET_KEYS, 'target.');
  const present = TARGET_KEYS.filter((k) => input[k] !== undefined);
  if (present.length !== 1) return r.fail('target', 'give exactly one of "paddr", "symbol", "pci_bar" or "sentinel"');
  if (input.pci_bar !== undefined) return readPciBar(r, input.pci_bar);
  if (input.sentinel !== undefined) return readSentinel(r, input.sentinel, width);
  if (input.paddr !== undefined) {
    const paddr = r.u64('target.paddr', input.paddr);
    if (paddr === undefined) return undefined;
    if (paddr > MAX_PADDR) return r.fail('target.paddr', `${toHex(paddr)} is beyond the 52-bit physical address space`);
    return { kind: 'paddr', paddr };
  }
  const text = typeof input.symbol === 'string' ? input.symbol.trim() : null;
  // Bounded before the pattern runs, so a huge string is refused without being scanned.
  const match = text !== null && text.length <= MAX_SYMBOL_NAME_LENGTH + 1 + OFFSET_TEXT_MAX ? SYMBOL.exec(text) : null;
  if (!match) {
    const reason = text !== null && text.length > MAX_SYMBOL_NAME_LENGTH + 1 + OFFSET_TEXT_MAX
      ? `is ${text.length} characters: a name of at most ${MAX_SYMBOL_NAME_LENGTH} and a 64-bit offset are far shorter`
      : `${describe(input.symbol)} is not "name" or "name+0xoffset"`;
    return r.fail('target.symbol', reason);
  }
  if (match[1].length > MAX_SYMBOL_NAME_LENGTH) {
    return r.fail('target.symbol', `the symbol name is ${match[1].length} characters, more than ${MAX_SYMBOL_NAME_LENGTH} (the kernel's KSYM_NAME_LEN)`);
  }
  // Refused, never clamped or wrapped: the module would resolve a different address.
  const offset = match[2] === undefined ? 0n : parseU64(match[2]);
  if (offset === null) return r.fail('target.symbol', `offset ${match[2]} is wider than 64 bits (at most ${toHex(U64_MAX)})`);
  return { kind: 'symbol', name: match[1], offset };
}

function readFuncs(r: SpecReader, input: unknown): string[] | undefined {
  if (input === undefined) return [];
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_FUNCS) {
    return r.fail('funcs', `must be a list of 1 to ${MAX_FUNCS} kernel function names (the module's limit)`);
  }
  const names: string[] = [];
  for (const [i, name] of input.entries()) {
    if (typeof name !== 'string' || !isFuncName(name)) {
      const reason = typeof name === 'string' && name.length > MAX_FUNC_NAME_LENGTH
        ? `is ${name.length} characters; the module takes at most ${MAX_FUNC_NAME_LENGTH}`
        : `${describe(name)} is not a kernel function name (letters, digits, _ . $; not starting with a digit)`;
      return r.fail(`funcs[${i}]`, reason);
    }
    names.push(name);
  }
  if (new Set(names).size !== names.length) return r.fail('funcs', 'lists a function more than once');
  const text = names.join(',').length;
  if (text > MAX_FUNCS_TEXT_LENGTH) {
    return r.fail('funcs', `the names take ${text} characters joined by commas; one module command holds at most ${MAX_FUNCS_TEXT_LENGTH}`);
  }
  return names;
}

function readRate(r: SpecReader, input: unknown): number | null | undefined {
  if (input === undefined || input === null) return null;
  if (input === 0) return r.fail('rate', '0 is not a limit: leave rate out (or null) for no limit');
  return r.positiveInt('rate', input, MAX_RATE);
}

/** The interval is required unless the mode runs no timer, and then it is refused. */
function readInterval(r: SpecReader, input: unknown, mode: WatchMode | undefined): number | undefined {
  if (mode === 'ftrace') {
    if (input === undefined || input === null) return 0;
    return r.fail('interval', 'mode ftrace runs no timer (it checks on function entry): remove interval, or use mode both');
  }
  const interval = parseInterval(input);
  if (!interval.ok) return r.fail('interval', input === undefined ? 'required, e.g. "30ms" (only mode ftrace has none)' : interval.reason);
  return interval.us;
}

function readHosts(r: SpecReader, input: unknown): HostSelection | undefined {
  if (!isObject(input)) return r.fail('hosts', 'required: an object with "ids" (a list of host ids) or "selector"');
  r.unknownKeys(input, ['ids', 'selector'], 'hosts.');
  const present = ['ids', 'selector'].filter((k) => input[k] !== undefined);
  if (present.length !== 1) return r.fail('hosts', 'give exactly one of "ids" or "selector"');
  if (input.ids !== undefined) {
    const ids = input.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_EXPLICIT_HOSTS) {
      return r.fail('hosts.ids', `must be a list of 1 to ${MAX_EXPLICIT_HOSTS} host ids`);
    }
    const bad = ids.findIndex((id) => typeof id !== 'string' || !HOST_ID.test(id));
    if (bad >= 0) return r.fail(`hosts.ids[${bad}]`, `${describe(ids[bad])} is not a host id`);
    if (new Set(ids).size !== ids.length) return r.fail('hosts.ids', 'lists a host more than once');
    return { kind: 'ids', ids: ids as string[] };
  }
  if (typeof input.selector !== 'string') return r.fail('hosts.selector', 'must be a string such as "rack=r12,bios.version=2.1.3"');
  try {
    return { kind: 'selector', selector: input.selector.trim(), requirements: parseSelector(input.selector) };
  } catch (err) {
    if (err instanceof SelectorSyntaxError) return r.fail('hosts.selector', err.message);
    throw err;
  }
}

function readTime(r: SpecReader, field: string, input: unknown): Date | null | undefined {
  if (input === undefined || input === null) return null;
  const text = typeof input === 'string' ? input : '';
  const date = /(Z|[+-]\d\d:?\d\d)$/.test(text) ? new Date(text) : new Date(NaN);
  if (Number.isNaN(date.getTime())) return r.fail(field, `${describe(input)} is not an ISO 8601 time with a zone`);
  return date;
}

function readExpiresAt(r: SpecReader, input: unknown, now: Date | null): Date | null | undefined {
  const date = readTime(r, 'expires_at', input);
  if (date && now && date.getTime() <= now.getTime()) return r.fail('expires_at', `${input as string} is not in the future`);
  return date;
}

/** Checks that need several fields at once; each names the field the user should change. */
function crossCheck(r: SpecReader, spec: Omit<WatchSpec, 'hosts' | 'expiresAt' | 'startsAt' | 'maxHitsPerHost' | 'rollout' | 'rate'>, raw: Record<string, unknown>): void {
  const { target, width, len, condition, value, mask, action, kdumpOnHit, mode, funcs } = spec;
  if (mode !== 'timer' && funcs.length === 0 && raw.funcs === undefined) r.fail('funcs', `required for mode ${mode}: the kernel functions on whose entry the word is checked`);
  if (mode === 'timer' && raw.funcs !== undefined) r.fail('funcs', 'only used by mode ftrace or both');
  if (kdumpOnHit && (action === 'panic' || action === 'hang')) {
    r.fail('kdump_on_hit', `not used with action ${action}: a ${action} watch stops the host itself on the hit`);
  }
  if (target.kind === 'paddr' && target.paddr % BigInt(width) !== 0n) {
    r.fail('target.paddr', `${toHex(target.paddr)} is not aligned to width ${width}`);
  }
  if (target.kind === 'symbol' && target.offset % BigInt(width) !== 0n) {
    r.fail('target.symbol', `offset ${toHex(target.offset)} is not a multiple of width ${width}`);
  }
  if (target.kind === 'pci_bar') {
    if (target.offset % BigInt(width) !== 0n) r.fail('target.pci_bar.offset', `${toHex(target.offset)} is not a multiple of width ${width}`);
    // The BAR's own length is known only on the host; the module checks offset+len against it.
    else if (target.offset + BigInt(len) - 1n > U64_MAX) r.fail('len', `the region runs past the 64-bit offset space of the BAR`);
  }
  if (target.kind === 'sentinel') {
    // The module's rules: its pages are the region, so len= is refused, and the fill must fit a word.
    if (raw.len !== undefined) r.fail('len', `not used by a sentinel target: the region is its pages (pages × ${SENTINEL_PAGE_SIZE} bytes)`);
    if (target.pattern > maxForWidth(width)) r.fail('target.sentinel.pattern', `${toHex(target.pattern)} is wider than width ${width} (at most ${toHex(maxForWidth(width))})`);
  }
  if (len % width !== 0) r.fail('len', `${len} is not a multiple of width ${width}`);
  const max = maxForWidth(width);
  const needsValue = condition !== 'any_change';
  if (needsValue && raw.value === undefined) r.fail('value', `required for condition ${condition}`);
  if (!needsValue && raw.value !== undefined) r.fail('value', 'not used by condition any_change; remove it');
  if (needsValue && value > max) r.fail('value', `${toHex(value)} is wider than width ${width} (at most ${toHex(max)})`);
  if (condition === 'mask_equals') {
    if (raw.mask === undefined) r.fail('mask', 'required for condition mask_equals');
    else if (mask > max) r.fail('mask', `${toHex(mask)} is wider than width ${width} (at most ${toHex(max)})`);
    else if (mask === 0n) r.fail('mask', '0x0 makes every change a hit; use condition any_change');
    else if ((value & ~mask) !== 0n) r.fail('value', `${toHex(value)} has bits outside mask ${toHex(mask)}, so it can never match`);
  } else if (raw.mask !== undefined) {
    r.fail('mask', `only used by condition mask_equals, not ${condition}`);
  }
  if (target.kind === 'paddr' && target.paddr + BigInt(len) - 1n > MAX_PADDR) {
    r.fail('len', `the region runs past the 52-bit physical address space`);
  }
}

/**
 * Validates untrusted input. Throws ValidationError listing every bad field at once.
 * `now` decides whether expires_at is in the future; null skips that check (a stored
 * spec read back after it expired is still a valid spec).
 */
export function parseWatchSpec(input: unknown, now: Date | null = new Date()): WatchSpec {
  const r = new SpecReader();
  if (!isObject(input)) throw new ValidationError([{ field: '(body)', reason: 'must be a JSON object' }]);
  r.unknownKeys(input, TOP_LEVEL_KEYS, '');

  let name: string | null = null;
  if (input.name !== undefined && input.name !== null) {
    if (typeof input.name !== 'string' || input.name.length > 200) r.fail('name', 'must be a string of at most 200 characters');
    else name = input.name;
  }
  const target = readTarget(r, input.target, input.width);
  const width = input.width === undefined ? r.fail('width', 'required: 1, 2, 4 or 8') : r.oneOf('width', input.width, WIDTHS);
  const len = input.len === undefined ? (target?.kind === 'sentinel' ? target.pages * SENTINEL_PAGE_SIZE : width) : r.positiveInt('len', input.len, MAX_REGION_LEN);
  const condition = input.condition === undefined
    ? r.fail('condition', `required: one of ${CONDITIONS.join(', ')}`)
    : r.oneOf('condition', input.condition, CONDITIONS);
  const value = input.value === undefined ? 0n : r.u64('value', input.value);
  const mask = input.mask === undefined ? (width ? maxForWidth(width) : 0n) : r.u64('mask', input.mask);
  const mode = input.mode === undefined ? 'timer' : r.oneOf('mode', input.mode, WATCH_MODES);
  const funcs = readFuncs(r, input.funcs);
  const rate = readRate(r, input.rate);
  const intervalUs = readInterval(r, input.interval, mode);
  const action = input.action === undefined ? 'report' : r.oneOf('action', input.action, ACTIONS);
  const hosts = readHosts(r, input.hosts);
  const expiresAt = readExpiresAt(r, input.expires_at, now);
  const maxHits = input.max_hits === undefined || input.max_hits === null ? null : r.positiveInt('max_hits', input.max_hits, 2_147_483_647);
  const startsAt = readTime(r, 'starts_at', input.starts_at);
  if (startsAt && expiresAt && startsAt.getTime() >= expiresAt.getTime()) r.fail('starts_at', 'must be before expires_at');
  const maxHitsPerHost = input.max_hits_per_host === undefined || input.max_hits_per_host === null
    ? null
    : r.positiveInt('max_hits_per_host', input.max_hits_per_host, 2_147_483_647);
  const kdumpOnHit = input.kdump_on_hit === undefined ? false : typeof input.kdump_on_hit === 'boolean' ? input.kdump_on_hit : r.fail('kdump_on_hit', 'must be true or false');
  const rollout = readRollout(input.rollout, action === undefined || kdumpOnHit === undefined ? undefined : { action, kdumpOnHit }, r.errors);

  if (target && width && len && condition && value !== undefined && mask !== undefined && intervalUs !== undefined && action && kdumpOnHit !== undefined && mode && funcs) {
    crossCheck(r, { name, target, width, len, condition, value, mask, intervalUs, mode, funcs, action, maxHits: maxHits ?? null, kdumpOnHit }, input);
  }
  if (r.errors.length > 0) throw new ValidationError(r.errors);
  return {
    name,
    target: target!,
    width: width!,
    len: len!,
    condition: condition!,
    value: value!,
    mask: mask!,
    intervalUs: intervalUs!,
    mode: mode!,
    funcs: funcs!,
    rate: rate ?? null,
    action: action!,
    hosts: hosts!,
    expiresAt: expiresAt ?? null,
    startsAt: startsAt ?? null,
    maxHits: maxHits ?? null,
    maxHitsPerHost: maxHitsPerHost ?? null,
    kdumpOnHit: kdumpOnHit!,
    rollout: rollout!,
  };
}

/** The module's own spelling of the target's value (paddr=, sym=, bar=); a sentinel, having no address, as `sentinel=N`. */
export function formatTarget(target: WatchTarget): string {
  if (target.kind === 'paddr') return toHex(target.paddr);
  if (target.kind === 'sentinel') return `sentinel=${target.pages}`;
  if (target.kind === 'pci_bar') return `${target.device}/${target.bar}${target.offset === 0n ? '' : `+${toHex(target.offset)}`}`;
  return target.offset === 0n ? target.name : `${target.name}+${toHex(target.offset)}`;
}

export function watchSpecToJson(spec: WatchSpec): WatchSpecJson {
  const json: WatchSpecJson = {
    name: spec.name,
    target: targetToJson(spec.target),
    width: spec.width,
    // A sentinel's len is its pages; given back, it would be refused as the module refuses len=.
    ...(spec.target.kind !== 'sentinel' && { len: spec.len }),
    condition: spec.condition,
    mode: spec.mode,
    action: spec.action,
    hosts: spec.hosts.kind === 'ids' ? { ids: spec.hosts.ids } : { selector: spec.hosts.selector },
    expires_at: spec.expiresAt ? spec.expiresAt.toISOString() : null,
    max_hits: spec.maxHits,
    starts_at: spec.startsAt ? spec.startsAt.toISOString() : null,
    max_hits_per_host: spec.maxHitsPerHost,
    kdump_on_hit: spec.kdumpOnHit,
    rollout: rolloutToJson(spec.rollout),
  };
  if (spec.mode !== 'ftrace') json.interval = formatInterval(spec.intervalUs);
  if (spec.mode !== 'timer') json.funcs = [...spec.funcs];
  json.rate = spec.rate;
  if (spec.condition !== 'any_change') json.value = toHex(spec.value);
  if (spec.condition === 'mask_equals') json.mask = toHex(spec.mask);
  return json;
}

/** A stored or served target in the module's spelling: "0x…", "name+0x…", "dddd:bb:dd.f/N+0x…", "sentinel=N". */
export function targetJsonText(target: WatchSpecJson['target']): string {
  if ('paddr' in target) return target.paddr;
  if ('symbol' in target) return target.symbol;
  if ('sentinel' in target) return `sentinel=${target.sentinel.pages}`;
  const { device, bar, offset } = target.pci_bar;
  return offset === undefined || /^(0x)?0+$/i.test(offset) ? `${device}/${bar}` : `${device}/${bar}+${offset}`;
}

function targetToJson(target: WatchTarget): WatchSpecJson['target'] {
  if (target.kind === 'paddr') return { paddr: toHex(target.paddr) };
  if (target.kind === 'pci_bar') return { pci_bar: { device: target.device, bar: target.bar, offset: toHex(target.offset) } };
  if (target.kind === 'sentinel') return { sentinel: { pages: target.pages, pattern: toHex(target.pattern) } };
  return { symbol: formatTarget(target) };
}

/** What one host needs to arm a watch: the spec without fleet placement. */
export type ArmSpec = Pick<WatchSpec, 'target' | 'width' | 'len' | 'condition' | 'value' | 'mask' | 'intervalUs' | 'mode' | 'funcs' | 'rate' | 'action' | 'maxHits'> & {
  watchId: string;
};
