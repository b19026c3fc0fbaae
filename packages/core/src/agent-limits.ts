/**
 * What an agent message may carry, field by field, measured against where the orchestrator
 * stores it (packages/db/migrations): u64 quantities go to numeric(20,0), ids and seqs to
 * bigint, 32-bit counters to int4 (signed), width to smallint, strings to text (which can
 * hold no NUL byte). One validator per message returns every bad field with a reason, e.g.
 * "hits[3].old_value: 18446744073709551616 is beyond u64"; an empty list means storable.
 *
 * 64-bit integers arrive as decimal strings (proto-loader longs: String); 32-bit ones as numbers.
 */
import { isWriterReason, WIRE_WRITERS } from './hit-writer';
import { U64_MAX } from './u64';
import type { FieldError } from './validation-error';

/** The stated limits (docs/contracts.md, "What an agent may send"). */
export const AGENT_LIMITS = {
  /** Host ids: 1-128 of A-Z a-z 0-9 . _ : - (what a watch's host list accepts). */
  hostIdLength: 128,
  /** Boot ids: 1-128 characters, no whitespace or control characters (Linux gives a 36-character UUID). */
  bootIdLength: 128,
  hostnameLength: 255,
  kernelReleaseLength: 256,
  archLength: 64,
  agentVersionLength: 128,
  /** A host with many NICs (SR-IOV functions) reports two facts per NIC; the agent sends no more than this. */
  labels: 256,
  labelKeyLength: 128,
  labelValueLength: 256,
  backendLength: 32,
  pathLength: 4096,
  /** WatchState.reason, CrashReply.reason. */
  reasonLength: 1024,
  watchStates: 10_000,
  /** Capabilities.target_kinds and .modes: the proto has 4 and 3 today. */
  capabilityEnums: 16,
  /** Hit.comm: the kernel's TASK_COMM_LEN is 16. */
  commLength: 64,
  /** Hit.ip: symbol+0xoff/0xsize; the kernel's KSYM_NAME_LEN is 512. */
  ipLength: 600,
  stackLength: 32 * 1024,
  /** Hit.stack lines: the module captures at most 24 frames. */
  stackFrames: 64,
  actionLength: 32,
  requestIdLength: 128,
  /** VmcoreReport.dmesg_excerpt: the agent sends at most 16 KiB. */
  dmesgExcerptLength: 64 * 1024,
  recoveredHits: 10_000,
  /** VmcoreReport.layout and .format. */
  vmcoreWordLength: 32,
} as const;

const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// eslint-disable-next-line no-control-regex
const BOOT_ID = /^[^\s\u0000-\u001f\u007f]+$/u;
// The selector syntax (selector.ts): a label it cannot parse could never be selected.
const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[^\s,()=!]*$/;
const SHA256 = /^[0-9a-f]{64}$/;

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const I32_MAX = 2 ** 31 - 1;
/** Date's range, in ms either side of 1970 (ECMA-262): a crash time outside it is no time. */
const DATE_MS_MAX = 8_640_000_000_000_000n;

/** A value's range, named the way a reason says it. */
interface Range {
  min: bigint;
  max: bigint;
  name: string;
}
const U64: Range = { min: 0n, max: U64_MAX, name: 'u64' };
/** An id or seq stored as bigint: > 0. */
const ID: Range = { min: 1n, max: I64_MAX, name: 'a positive bigint' };
const I64: Range = { min: I64_MIN, max: I64_MAX, name: 'bigint' };
const U63: Range = { min: 0n, max: I64_MAX, name: 'a non-negative bigint' };
/** A count, or -1 for not known. */
const SMI_COUNT: Range = { min: -1n, max: I64_MAX, name: 'a count or -1' };

export type Problems = FieldError[];

function at(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function show(value: string): string {
  return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
}

function checkInteger(out: Problems, field: string, value: string, range: Range): void {
  if (!/^-?[0-9]+$/.test(value)) {
    out.push({ field, reason: `${show(value)} is not an integer` });
    return;
  }
  const n = BigInt(value);
  if (range === U64 && n > U64_MAX) out.push({ field, reason: `${value} is beyond u64` });
  else if (n < range.min || n > range.max) out.push({ field, reason: `${value} is out of range for ${range.name} (${range.min} to ${range.max})` });
}

/** A 32-bit wire number stored as int4 (or smallint with `max`). */
function checkInt32(out: Problems, field: string, value: number, min: number, max = I32_MAX): void {
  if (!Number.isInteger(value) || value < min || value > max) out.push({ field, reason: `${value} is out of range (${min} to ${max})` });
}

/** Text that fits a text column: no NUL byte, at most `max` characters (`min` 1 when required). */
function checkText(out: Problems, field: string, value: string, max: number, min = 0): boolean {
  if (value.includes('\u0000')) out.push({ field, reason: `contains a NUL byte` });
  else if (value.length < min) out.push({ field, reason: 'is empty' });
  else if (value.length > max) out.push({ field, reason: `is ${value.length} characters, more than ${max}` });
  else return true;
  return false;
}

export function hostIdProblems(out: Problems, field: string, value: string): void {
  if (!checkText(out, field, value, AGENT_LIMITS.hostIdLength, 1)) return;
  if (!HOST_ID.test(value)) out.push({ field, reason: `${show(value)} is not a host id (1-128 of A-Z a-z 0-9 . _ : -)` });
}

export function bootIdProblems(out: Problems, field: string, value: string): void {
  if (!checkText(out, field, value, AGENT_LIMITS.bootIdLength, 1)) return;
  if (!BOOT_ID.test(value)) out.push({ field, reason: `${show(value)} is not a boot id (no whitespace or control characters)` });
}

/** Label maps: from a Hello or set by an operator; keys and values as selectors can name them. */
export function labelsProblems(out: Problems, field: string, labels: Readonly<Record<string, string>>): void {
  const entries = Object.entries(labels);
  if (entries.length > AGENT_LIMITS.labels) {
    // Not one problem per label as well: the answer must stay small whatever was sent.
    out.push({ field, reason: `${entries.length} labels, more than ${AGENT_LIMITS.labels}` });
    return;
  }
  for (const [key, value] of entries) {
    const keyField = `${field}[${JSON.stringify(key.slice(0, 40))}]`;
    if (key.length > AGENT_LIMITS.labelKeyLength) out.push({ field: keyField, reason: `key is ${key.length} characters, more than ${AGENT_LIMITS.labelKeyLength}` });
    else if (!LABEL_KEY.test(key)) out.push({ field: keyField, reason: 'not a label key (letters, digits, "._/-", alphanumeric at both ends)' });
    if (typeof value !== 'string') out.push({ field: keyField, reason: 'value is not a string' });
    else if (value.length > AGENT_LIMITS.labelValueLength) out.push({ field: keyField, reason: `value is ${value.length} characters, more than ${AGENT_LIMITS.labelValueLength}` });
    else if (!LABEL_VALUE.test(value) || value.includes('\u0000')) out.push({ field: keyField, reason: `value ${show(value)} holds a space, comma, parenthesis, "=", "!" or NUL` });
  }
}

export interface WireCapabilities {
  backend: string;
  max_watches: number;
  min_interval_us: string;
  max_region_len: number;
  /** Enum names (proto-loader enums: String); absent from an agent before them. */
  target_kinds?: string[];
  modes?: string[];
  phys_addr_bits?: number;
}

/**
 * Capabilities' enum lists are stored as sent: short, few, and names (an unknown name
 * from a newer agent is kept and ignored by the scheduler, not refused).
 */
function enumListProblems(out: Problems, field: string, list: readonly unknown[] | undefined): void {
  if (list === undefined) return;
  if (list.length > AGENT_LIMITS.capabilityEnums) {
    out.push({ field, reason: `${list.length} entries, more than ${AGENT_LIMITS.capabilityEnums}` });
    return;
  }
  list.forEach((name, i) => {
    if (typeof name !== 'string' || !/^[A-Z0-9_]{1,64}$/.test(name)) out.push({ field: `${field}[${i}]`, reason: `${show(String(name))} is not an enum name` });
  });
}

export interface WireKdumpReadiness {
  policy_source: string;
}

export interface WireHello {
  host_id: string;
  boot_id: string;
  hostname: string;
  kernel_release: string;
  arch: string;
  agent_version: string;
  labels: Record<string, string>;
  capabilities?: WireCapabilities | null;
  kdump?: WireKdumpReadiness | null;
  spooled_boot_ids?: string[];
}

export function helloProblems(hello: WireHello, path = 'Hello'): Problems {
  const out: Problems = [];
  hostIdProblems(out, at(path, 'host_id'), hello.host_id);
  bootIdProblems(out, at(path, 'boot_id'), hello.boot_id);
  checkText(out, at(path, 'hostname'), hello.hostname, AGENT_LIMITS.hostnameLength);
  checkText(out, at(path, 'kernel_release'), hello.kernel_release, AGENT_LIMITS.kernelReleaseLength);
  checkText(out, at(path, 'arch'), hello.arch, AGENT_LIMITS.archLength);
  checkText(out, at(path, 'agent_version'), hello.agent_version, AGENT_LIMITS.agentVersionLength);
  labelsProblems(out, at(path, 'labels'), hello.labels);
  const caps = hello.capabilities;
  if (caps) {
    checkText(out, at(path, 'capabilities.backend'), caps.backend, AGENT_LIMITS.backendLength);
    // Stored in jsonb and read back as int4 by the scheduler (capabilities->>'max_watches')::int.
    checkInt32(out, at(path, 'capabilities.max_watches'), caps.max_watches, 0);
    checkInteger(out, at(path, 'capabilities.min_interval_us'), caps.min_interval_us, U64);
    enumListProblems(out, at(path, 'capabilities.target_kinds'), caps.target_kinds);
    enumListProblems(out, at(path, 'capabilities.modes'), caps.modes);
    // Placement compares paddrs with 2^phys_addr_bits; no CPU has more than 64.
    if (caps.phys_addr_bits !== undefined) checkInt32(out, at(path, 'capabilities.phys_addr_bits'), caps.phys_addr_bits, 0, 64);
  }
  if (hello.kdump) checkText(out, at(path, 'kdump.policy_source'), hello.kdump.policy_source, AGENT_LIMITS.pathLength);
  const spooled = hello.spooled_boot_ids ?? [];
  if (spooled.length > AGENT_LIMITS.labels) out.push({ field: at(path, 'spooled_boot_ids'), reason: `${spooled.length} boots, more than ${AGENT_LIMITS.labels}` });
  else spooled.forEach((id, i) => bootIdProblems(out, at(path, `spooled_boot_ids[${i}]`), id));
  return out;
}

export interface WireHeartbeat {
  sent_at_unix_ms: string;
  applied_generation: string;
}

export function heartbeatProblems(beat: WireHeartbeat, path = 'Heartbeat'): Problems {
  const out: Problems = [];
  checkInteger(out, at(path, 'sent_at_unix_ms'), beat.sent_at_unix_ms, I64);
  checkInteger(out, at(path, 'applied_generation'), beat.applied_generation, U63);
  return out;
}

export interface WireWatchState {
  watch_id: string;
  resolved_paddr: string;
  reason: string;
  /** Absent from an agent before it; stored in assignments.poll_ns_avg (bigint). */
  poll_ns_avg?: string;
}

export interface WireWatchStates {
  generation: string;
  states: WireWatchState[];
}

export function watchStatesProblems(states: WireWatchStates, path = 'WatchStates'): Problems {
  const out: Problems = [];
  checkInteger(out, at(path, 'generation'), states.generation, U63);
  if (states.states.length > AGENT_LIMITS.watchStates) {
    out.push({ field: at(path, 'states'), reason: `${states.states.length} states, more than ${AGENT_LIMITS.watchStates}` });
    return out;
  }
  states.states.forEach((state, i) => {
    const p = at(path, `states[${i}]`);
    checkInteger(out, at(p, 'watch_id'), state.watch_id, ID);
    checkInteger(out, at(p, 'resolved_paddr'), state.resolved_paddr, U64);
    checkText(out, at(p, 'reason'), state.reason, AGENT_LIMITS.reasonLength);
    if (state.poll_ns_avg !== undefined) checkInteger(out, at(p, 'poll_ns_avg'), state.poll_ns_avg, U63);
  });
  return out;
}

export interface WireHit {
  seq: string;
  watch_id: string;
  realtime_ns: string;
  boottime_ns: string;
  cpu: number;
  paddr: string;
  offset: number;
  width: number;
  old_value: string;
  new_value: string;
  pid: number;
  comm: string;
  ip: string;
  stack: string;
  action: string;
  module_seq: string;
  /** 0: not known (a module line without last_old_ns=). */
  last_old_boottime_ns: string;
  /** A Writer enum name (proto-loader enums: String; a number the proto does not name). */
  writer: string | number;
  writer_reason: string;
  /** -1: not known. */
  smi_count: string;
}

export interface HitOptions {
  /** A hit recovered from a crash dump was never numbered by the agent: seq 0, module_seq > 0. */
  recovered?: boolean;
}

/** One hit against the hits table; `path` names it, e.g. "hits[3]". */
export function hitProblems(hit: WireHit, path: string, options: HitOptions = {}): Problems {
  const out: Problems = [];
  if (options.recovered) {
    checkInteger(out, at(path, 'module_seq'), hit.module_seq, ID);
  } else {
    checkInteger(out, at(path, 'seq'), hit.seq, ID);
    // 0 is proto3's "not set": the hit did not come from the module.
    checkInteger(out, at(path, 'module_seq'), hit.module_seq, U63);
  }
  checkInteger(out, at(path, 'watch_id'), hit.watch_id, ID);
  checkInteger(out, at(path, 'realtime_ns'), hit.realtime_ns, I64);
  for (const field of ['boottime_ns', 'paddr', 'old_value', 'new_value'] as const) checkInteger(out, at(path, field), hit[field], U64);
  checkInt32(out, at(path, 'cpu'), hit.cpu, 0);
  checkInt32(out, at(path, 'offset'), hit.offset, 0);
  if (![1, 2, 4, 8].includes(hit.width)) out.push({ field: at(path, 'width'), reason: `${hit.width} is not a width (1, 2, 4 or 8)` });
  checkInt32(out, at(path, 'pid'), hit.pid, -I32_MAX - 1);
  checkText(out, at(path, 'comm'), hit.comm, AGENT_LIMITS.commLength);
  checkText(out, at(path, 'ip'), hit.ip, AGENT_LIMITS.ipLength);
  if (checkText(out, at(path, 'stack'), hit.stack, AGENT_LIMITS.stackLength)) {
    const frames = hit.stack === '' ? 0 : hit.stack.split('\n').length;
    if (frames > AGENT_LIMITS.stackFrames) out.push({ field: at(path, 'stack'), reason: `${frames} lines, more than ${AGENT_LIMITS.stackFrames}` });
  }
  checkText(out, at(path, 'action'), hit.action, AGENT_LIMITS.actionLength);
  bracketProblems(out, path, hit);
  writerProblems(out, path, hit);
  return out;
}

/** hits.writer is checked against the three writers, hits.writer_reason is one token, hits.smi_count a bigint. */
function writerProblems(out: Problems, path: string, hit: WireHit): void {
  const known = typeof hit.writer === 'string' && Object.hasOwn(WIRE_WRITERS, hit.writer);
  if (!known) out.push({ field: at(path, 'writer'), reason: `${show(String(hit.writer))} is not a writer (${Object.keys(WIRE_WRITERS).join(', ')})` });
  const reasonField = at(path, 'writer_reason');
  if (hit.writer_reason !== '') {
    if (!isWriterReason(hit.writer_reason)) out.push({ field: reasonField, reason: `${show(hit.writer_reason)} is not a reason (one token of 1-32 a-z 0-9 _; error_ with a positive errno)` });
    else if (known && hit.writer !== 'WRITER_UNKNOWN') out.push({ field: reasonField, reason: `a reason is only for WRITER_UNKNOWN, not ${hit.writer}` });
  }
  checkInteger(out, at(path, 'smi_count'), hit.smi_count, SMI_COUNT);
}

/**
 * The bracket (last_old_boottime_ns, boottime_ns]: the old value cannot have been seen after
 * the new one, and hits.last_old_boottime_ns is a bigint like the bracket derived from it.
 */
function bracketProblems(out: Problems, path: string, hit: WireHit): void {
  const field = at(path, 'last_old_boottime_ns');
  const before = out.length;
  checkInteger(out, field, hit.last_old_boottime_ns, U63);
  if (out.length > before || !/^[0-9]+$/.test(hit.boottime_ns)) return;
  const lastOld = BigInt(hit.last_old_boottime_ns);
  if (lastOld > BigInt(hit.boottime_ns)) out.push({ field, reason: `${lastOld} is after boottime_ns ${hit.boottime_ns}: the old value cannot be seen after the new one` });
  else if (lastOld > 0n && BigInt(hit.boottime_ns) - lastOld > I64_MAX) out.push({ field, reason: `a bracket of ${BigInt(hit.boottime_ns) - lastOld} ns is out of range for bigint` });
}

export interface WireCrashReply {
  request_id: string;
  reason: string;
}

export function crashReplyProblems(reply: WireCrashReply, path = 'CrashReply'): Problems {
  const out: Problems = [];
  checkText(out, at(path, 'request_id'), reply.request_id, AGENT_LIMITS.requestIdLength, 1);
  checkText(out, at(path, 'reason'), reply.reason, AGENT_LIMITS.reasonLength);
  return out;
}

export interface WireVmcoreReport {
  path: string;
  layout: string;
  format: string;
  size_bytes: string;
  sha256: string;
  dump_level: number;
  crash_time_unix_ms: string;
  kernel_release: string;
  dmesg_path: string;
  dmesg_excerpt: string;
  crashed_boot_id: string;
  crash_request_id: string;
  recovered_hits: WireHit[];
}

/** The report as a whole; its recovered hits are judged one by one by the caller (hitProblems, recovered). */
export function vmcoreReportProblems(report: WireVmcoreReport, path = 'VmcoreReport'): Problems {
  const out: Problems = [];
  if (checkText(out, at(path, 'path'), report.path, AGENT_LIMITS.pathLength, 1) && !report.path.startsWith('/')) {
    out.push({ field: at(path, 'path'), reason: `${show(report.path)} is not an absolute path` });
  }
  checkText(out, at(path, 'layout'), report.layout, AGENT_LIMITS.vmcoreWordLength);
  checkText(out, at(path, 'format'), report.format, AGENT_LIMITS.vmcoreWordLength);
  checkInteger(out, at(path, 'size_bytes'), report.size_bytes, U63);
  if (!SHA256.test(report.sha256)) out.push({ field: at(path, 'sha256'), reason: `${show(report.sha256)} is not a sha256 (64 lowercase hex digits)` });
  checkInt32(out, at(path, 'dump_level'), report.dump_level, -1);
  checkInteger(out, at(path, 'crash_time_unix_ms'), report.crash_time_unix_ms, { min: -DATE_MS_MAX, max: DATE_MS_MAX, name: 'a date in ms' });
  checkText(out, at(path, 'kernel_release'), report.kernel_release, AGENT_LIMITS.kernelReleaseLength);
  checkText(out, at(path, 'dmesg_path'), report.dmesg_path, AGENT_LIMITS.pathLength);
  checkText(out, at(path, 'dmesg_excerpt'), report.dmesg_excerpt, AGENT_LIMITS.dmesgExcerptLength);
  if (report.crashed_boot_id !== '') bootIdProblems(out, at(path, 'crashed_boot_id'), report.crashed_boot_id);
  checkText(out, at(path, 'crash_request_id'), report.crash_request_id, AGENT_LIMITS.requestIdLength);
  if (report.recovered_hits.length > AGENT_LIMITS.recoveredHits) {
    out.push({ field: at(path, 'recovered_hits'), reason: `${report.recovered_hits.length} hits, more than ${AGENT_LIMITS.recoveredHits}` });
  }
  return out;
}

const DESCRIBED = 20;

/** "field: reason; field: reason", the form every agent-facing message uses; the first 20, then how many more. */
export function describeProblems(problems: Problems): string {
  const text = problems.slice(0, DESCRIBED).map((p) => `${p.field}: ${p.reason}`).join('; ');
  return problems.length > DESCRIBED ? `${text}; and ${problems.length - DESCRIBED} more` : text;
}
