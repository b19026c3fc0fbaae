/**
 * The hunt spec: one target and condition, a fleet selection, a cohort, a polling budget
 * and a ladder of stages. `parseHuntSpec` is the only way from untrusted input to a
 * HuntSpec; `huntSpecToJson` is its inverse (API and storage).
 *
 * Each stage is realised as an ordinary watch, so a stage is validated by building that
 * watch's JSON (`stageWatchJson`) and running it through parseWatchSpec, the one validator:
 * whatever the watch spec accepts or refuses (intervals, mode/funcs/rate, actions,
 * kdump_on_hit, rollout) a stage accepts or refuses the same way,
 * with the field renamed to the stage ("stages[2].interval: …").
 */
import { formatInterval } from './interval';
import { isDestructive, RolloutJson } from './rollout';
import { FieldError, ValidationError } from './validation-error';
import { ACTIONS, Action, HostSelection, parseWatchSpec, WatchMode, WatchSpec, WatchSpecJson } from './watch-spec';

export const MAX_HUNT_STAGES = 16;
export const MAX_COHORT_KEYS = 8;
export const DEFAULT_BUDGET_PPM = 10_000;
export const MAX_BUDGET_PPM = 1_000_000;
export const DEFAULT_AFTER_HITS = 3;
export const DEFAULT_BRACKET_WINDOW = 5;
export const MAX_BRACKET_WINDOW = 100;

/** Fields of the watch spec the hunt gives every stage: what to watch and when it is a hit. */
const BASE_KEYS = ['target', 'width', 'len', 'condition', 'value', 'mask'] as const;
/** Fields of the watch spec a stage sets for itself. */
const STAGE_WATCH_KEYS = ['interval', 'mode', 'funcs', 'rate', 'action', 'kdump_on_hit', 'rollout'] as const;
const STAGE_KEYS = [...STAGE_WATCH_KEYS, 'advance'];
const TOP_LEVEL_KEYS = ['name', ...BASE_KEYS, 'hosts', 'cohort', 'budget_ppm', 'stages', 'funcs'];
const ADVANCE_KEYS = ['after_hits', 'bracket_stalled'];
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
/** Stands in for the stage's real hosts while validating; the engine fills in the ids. */
const PLACEHOLDER_HOSTS = { ids: ['hunt-validation'] };

/** When a host leaves a stage for the next; any rule that holds is enough. */
export interface AdvanceRule {
  /** At least this many hits stored for the host at this stage. */
  afterHits: number | null;
  /** The median bracket over the host's last `window` hits stopped shrinking (hunt-engine.ts). */
  bracketStalled: { window: number } | null;
}

export interface HuntStage {
  /** The stage's own watch fields, canonical (interval resolved), as the watch spec takes them. */
  watch: Record<string, unknown>;
  /** 0 for mode ftrace (no timer). */
  intervalUs: number;
  mode: WatchMode;
  action: Action;
  kdumpOnHit: boolean;
  destructive: boolean;
  /** null on the last stage (nothing to advance to) or when the stage never advances by itself. */
  advance: AdvanceRule | null;
}

export interface HuntSpec {
  name: string | null;
  /** target, width, len, condition, value, mask as given (each stage's watch validated them). */
  base: Record<string, unknown>;
  hosts: HostSelection;
  /** Label keys: hosts sharing the values of all of them with a host that advances advance too. */
  cohort: string[];
  /** Per host, the most this hunt's polling may cost, in millionths of a CPU. */
  budgetPpm: number;
  stages: HuntStage[];
}

export interface AdvanceRuleJson {
  after_hits?: number;
  bracket_stalled?: { window?: number } | boolean;
}

export interface HuntStageJson {
  interval?: string;
  mode?: WatchMode;
  funcs?: string[];
  rate?: number | null;
  action?: Action;
  kdump_on_hit?: boolean;
  rollout?: RolloutJson;
  advance?: AdvanceRuleJson | null;
}

export interface HuntSpecJson {
  name?: string | null;
  target: WatchSpecJson['target'];
  width: number;
  len?: number;
  condition: WatchSpecJson['condition'];
  value?: string;
  mask?: string;
  hosts: WatchSpecJson['hosts'];
  cohort?: string[];
  budget_ppm?: number;
  /** Only with the default ladder: the functions its ftrace stage checks at entry. */
  funcs?: string[];
  stages?: HuntStageJson[];
}

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

function describe(input: unknown): string {
  return JSON.stringify(input) ?? String(input);
}

/**
 * The default ladder, the seed's method: report at 30 ms on every selected host, then 1 ms,
 * then 100 µs, then ftrace on the named functions (only when some are named), then a stack at
 * each hit, then one kdump on one host (a destructive watch: one canary, max_hosts 1).
 */
export function defaultStages(funcs: readonly string[] | undefined): HuntStageJson[] {
  const next = { after_hits: DEFAULT_AFTER_HITS };
  const stages: HuntStageJson[] = [
    { interval: '30ms', action: 'report', advance: next },
    { interval: '1ms', action: 'report', advance: next },
    { interval: '100us', action: 'report', advance: next },
  ];
  if (funcs && funcs.length > 0) stages.push({ interval: '100us', mode: 'both', funcs: [...funcs], action: 'report', advance: next });
  stages.push({ interval: '100us', action: 'stack', advance: { after_hits: 1 } });
  stages.push({ interval: '100us', action: 'report', kdump_on_hit: true, rollout: { max_hosts: 1 } });
  return stages;
}

/** One stage's watch JSON on `hostIds`: what the engine stores as that stage's watch. */
export function stageWatchJson(spec: Pick<HuntSpec, 'name' | 'base' | 'stages'>, stage: number, hostIds: readonly string[], huntId: string): Record<string, unknown> {
  const label = spec.name ?? `hunt ${huntId}`;
  return { name: `${label} · stage ${stage}`.slice(0, 200), ...spec.base, ...spec.stages[stage].watch, hosts: { ids: [...hostIds] } };
}

class HuntReader {
  readonly errors: FieldError[] = [];

  fail(field: string, reason: string): undefined {
    if (!this.errors.some((e) => e.field === field && e.reason === reason)) this.errors.push({ field, reason });
    return undefined;
  }

  unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) this.fail(prefix + key, `unknown field (allowed: ${allowed.join(', ')})`);
  }

  positiveInt(field: string, input: unknown, max: number): number | undefined {
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 1 || input > max) return this.fail(field, `${describe(input)} is not a whole number from 1 to ${max}`);
    return input;
  }
}

function readCohort(r: HuntReader, input: unknown): string[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || input.length > MAX_COHORT_KEYS) return r.fail('cohort', `must be a list of at most ${MAX_COHORT_KEYS} host label keys, e.g. ["dmi.bios.version"]`) ?? [];
  input.forEach((key, i) => {
    if (typeof key !== 'string' || !LABEL_KEY.test(key)) r.fail(`cohort[${i}]`, `${describe(key)} is not a host label key`);
  });
  if (new Set(input).size !== input.length) r.fail('cohort', 'names a key more than once');
  return input as string[];
}

function readAdvance(r: HuntReader, input: unknown, field: string, last: boolean): AdvanceRule | null | undefined {
  if (input === null) return null;
  if (input === undefined) return last ? null : { afterHits: DEFAULT_AFTER_HITS, bracketStalled: null };
  if (last) return r.fail(field, 'the last stage has no stage to advance to; remove it');
  if (!isObject(input)) return r.fail(field, 'must be an object with after_hits and/or bracket_stalled, or null (never by itself)');
  r.unknownKeys(input, ADVANCE_KEYS, `${field}.`);
  const afterHits = input.after_hits === undefined ? null : (r.positiveInt(`${field}.after_hits`, input.after_hits, 1_000_000) ?? null);
  let bracketStalled: AdvanceRule['bracketStalled'] = null;
  const raw = input.bracket_stalled;
  if (raw === true) bracketStalled = { window: DEFAULT_BRACKET_WINDOW };
  else if (isObject(raw)) {
    r.unknownKeys(raw, ['window'], `${field}.bracket_stalled.`);
    const window = raw.window === undefined ? DEFAULT_BRACKET_WINDOW : r.positiveInt(`${field}.bracket_stalled.window`, raw.window, MAX_BRACKET_WINDOW);
    if (window !== undefined) bracketStalled = { window };
  } else if (raw !== undefined && raw !== false) r.fail(`${field}.bracket_stalled`, 'must be true, false or {"window": K}');
  if (input.after_hits === undefined && bracketStalled === null && raw === undefined) r.fail(field, 'give after_hits and/or bracket_stalled (or advance: null)');
  return { afterHits, bracketStalled };
}

/**
 * The watch fields a stage sets, with the interval carried from the last stage that had one
 * when omitted (not into mode ftrace, which runs no timer and takes no interval).
 */
function stageWatchFields(stage: Record<string, unknown>, inherited: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of STAGE_WATCH_KEYS) if (stage[key] !== undefined) fields[key] = stage[key];
  if (fields.interval === undefined && inherited !== undefined && stage.mode !== 'ftrace') fields.interval = inherited;
  return fields;
}

/**
 * Runs the stage's watch through parseWatchSpec; each error lands on the hunt field it came
 * from: a stage's own as stages[i].field, a shared one by its name, and on the default ladder
 * the ftrace stage's funcs as the top-level `funcs` the user gave.
 */
function checkStageWatch(r: HuntReader, base: Record<string, unknown>, fields: Record<string, unknown>, hosts: unknown, index: number, defaulted: boolean): WatchSpec | undefined {
  try {
    return parseWatchSpec({ ...base, ...fields, hosts }, null);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    for (const e of err.errors) {
      const root = e.field.split(/[.[]/, 1)[0];
      const own = (STAGE_WATCH_KEYS as readonly string[]).includes(root) && !(defaulted && root === 'funcs');
      r.fail(own ? `stages[${index}].${e.field}` : e.field, e.reason);
    }
    return undefined;
  }
}

/**
 * Validates untrusted input. Throws ValidationError listing every bad field at once, named
 * as the hunt spec names it (a stage's watch problem is "stages[i].<field>").
 */
export function parseHuntSpec(input: unknown): HuntSpec {
  const r = new HuntReader();
  if (!isObject(input)) throw new ValidationError([{ field: '(body)', reason: 'must be a JSON object' }]);
  r.unknownKeys(input, TOP_LEVEL_KEYS, '');
  let name: string | null = null;
  if (input.name !== undefined && input.name !== null) {
    if (typeof input.name !== 'string' || input.name.length > 160) r.fail('name', 'must be a string of at most 160 characters');
    else name = input.name;
  }
  const base: Record<string, unknown> = {};
  for (const key of BASE_KEYS) if (input[key] !== undefined) base[key] = input[key];
  const cohort = readCohort(r, input.cohort);
  const budgetPpm = input.budget_ppm === undefined ? DEFAULT_BUDGET_PPM : r.positiveInt('budget_ppm', input.budget_ppm, MAX_BUDGET_PPM);
  // Names are checked by the watch spec, on the default ladder's ftrace stage; here only its shape.
  const funcs = input.funcs;
  if (funcs !== undefined && (!Array.isArray(funcs) || funcs.length === 0)) r.fail('funcs', 'must be a list of kernel function names for the default ladder\'s ftrace stage');
  if (funcs !== undefined && input.stages !== undefined) r.fail('funcs', 'only used by the default ladder; with your own stages give funcs on the ftrace stage');
  const defaulted = input.stages === undefined;
  const rawStages = defaulted ? defaultStages(Array.isArray(funcs) ? (funcs as string[]) : undefined) : input.stages;
  if (!Array.isArray(rawStages) || rawStages.length === 0 || rawStages.length > MAX_HUNT_STAGES) {
    r.fail('stages', `must be a list of 1 to ${MAX_HUNT_STAGES} stages`);
    throw new ValidationError(r.errors);
  }
  const stages: HuntStage[] = [];
  let hosts: HostSelection | undefined;
  let inherited: unknown;
  rawStages.forEach((raw: unknown, i) => {
    const field = `stages[${i}]`;
    if (!isObject(raw)) return r.fail(field, 'must be an object (interval, mode, funcs, rate, action, kdump_on_hit, rollout, advance)');
    r.unknownKeys(raw, STAGE_KEYS, `${field}.`);
    if (i === 0 && raw.interval === undefined && raw.mode !== 'ftrace') r.fail(`${field}.interval`, 'required on the first stage, e.g. "30ms" (later stages inherit it; mode ftrace has none)');
    if (raw.action !== undefined && !ACTIONS.includes(raw.action as Action)) return r.fail(`${field}.action`, `${describe(raw.action)} is not one of ${ACTIONS.join(', ')}`);
    const fields = stageWatchFields(raw, inherited);
    if (fields.interval !== undefined) inherited = fields.interval;
    // Stage 0 carries the hunt's real selection, so a bad `hosts` is reported once, as `hosts`.
    const watch = checkStageWatch(r, base, fields, i === 0 ? input.hosts : PLACEHOLDER_HOSTS, i, defaulted);
    const advance = readAdvance(r, raw.advance, `${field}.advance`, i === rawStages.length - 1);
    if (!watch || advance === undefined) return undefined;
    if (i === 0) hosts = watch.hosts;
    const canonical: Record<string, unknown> = { ...fields, action: watch.action, kdump_on_hit: watch.kdumpOnHit };
    if (watch.mode !== 'ftrace') canonical.interval = formatInterval(watch.intervalUs);
    stages.push({ watch: canonical, intervalUs: watch.intervalUs, mode: watch.mode, action: watch.action, kdumpOnHit: watch.kdumpOnHit, destructive: isDestructive(watch), advance });
    return undefined;
  });
  if (r.errors.length > 0) throw new ValidationError(r.errors);
  return { name, base, hosts: hosts!, cohort, budgetPpm: budgetPpm!, stages };
}

function advanceToJson(rule: AdvanceRule | null): AdvanceRuleJson | null {
  if (rule === null) return null;
  const json: AdvanceRuleJson = {};
  if (rule.afterHits !== null) json.after_hits = rule.afterHits;
  if (rule.bracketStalled !== null) json.bracket_stalled = { window: rule.bracketStalled.window };
  return json;
}

/** The canonical JSON: every default filled in, so a stored hunt reads back the same. */
export function huntSpecToJson(spec: HuntSpec): HuntSpecJson {
  return {
    name: spec.name,
    ...(spec.base as Pick<HuntSpecJson, 'target' | 'width' | 'condition'>),
    hosts: spec.hosts.kind === 'ids' ? { ids: spec.hosts.ids } : { selector: spec.hosts.selector },
    cohort: spec.cohort,
    budget_ppm: spec.budgetPpm,
    stages: spec.stages.map((s) => ({ ...(s.watch as HuntStageJson), advance: advanceToJson(s.advance) })),
  };
}

/** True when any stage can take a host down: creating the hunt needs the role such a watch needs. */
export function huntIsDestructive(spec: HuntSpec): boolean {
  return spec.stages.some((s) => s.destructive);
}
