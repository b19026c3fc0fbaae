/**
 * The `rollout` part of a watch spec: how fast a watch spreads over the hosts it selects.
 * Defaults keep a report/stack watch going everywhere at once; a watch that can panic or
 * hang a host starts on one canary and goes no wider unless the operator says so.
 */
import type { FieldError } from './validation-error';

export const MAX_CANARY = 10_000;
export const MAX_SOAK_MS = 7 * 24 * 3_600_000;
export const DEFAULT_SOAK_MS = 5 * 60_000;

export interface Rollout {
  /** Hosts that run the watch first; 0 means no canary stage. */
  canary: number;
  /** How long every canary must stay armed (none failed) before the watch expands. */
  soakMs: number;
  /** Share of the selected hosts to run on, 1–100. */
  percent: number;
  maxHosts: number | null;
  paused: boolean;
  /** Destructive watches (isDestructive) reach more than one host only when this is true. */
  allowWideDestructive: boolean;
}

export interface RolloutJson {
  canary?: number;
  soak?: string;
  percent?: number;
  max_hosts?: number | null;
  paused?: boolean;
  allow_wide_destructive?: boolean;
}

const KEYS = ['canary', 'soak', 'percent', 'max_hosts', 'paused', 'allow_wide_destructive'];
const SOAK_UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** What makes a watch destructive: it can take a host down on a hit. */
export interface DestructiveFields {
  action: string;
  kdumpOnHit: boolean;
}

/**
 * The one rule for which watches take a host down: action panic or hang, or a crash into
 * kdump on the hit. Such a watch starts on one canary and goes no wider unless allowed.
 */
export function isDestructive(watch: DestructiveFields): boolean {
  return watch.action === 'panic' || watch.action === 'hang' || watch.kdumpOnHit;
}

/** How a destructive watch is named in messages: "panic", "hang" or "kdump_on_hit". */
export function destructiveKind(watch: DestructiveFields): string {
  return watch.kdumpOnHit ? 'kdump_on_hit' : watch.action;
}

function parseSoak(input: unknown): number | string {
  const match = typeof input === 'string' ? /^\s*([0-9]+)\s*(ms|s|m|h)\s*$/.exec(input) : null;
  if (!match) return `${JSON.stringify(input)} is not a whole number with a unit (ms, s, m, h), e.g. "10m"`;
  const ms = Number(match[1]) * SOAK_UNIT_MS[match[2]];
  return ms > MAX_SOAK_MS ? `${input} is longer than 7 days` : ms;
}

export function formatSoak(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms % SOAK_UNIT_MS[unit] === 0 && ms > 0) return `${ms / SOAK_UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

function wholeNumber(input: unknown, min: number, max: number): number | string {
  if (typeof input !== 'number' || !Number.isInteger(input) || input < min || input > max) {
    return `${JSON.stringify(input)} is not a whole number from ${min} to ${max}`;
  }
  return input;
}

/**
 * Reads `rollout` for a watch with these destructive fields (undefined when they are invalid
 * themselves); every problem is pushed to `errors` with its field.
 */
export function readRollout(input: unknown, watch: DestructiveFields | undefined, errors: FieldError[]): Rollout | undefined {
  const raw = input ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push({ field: 'rollout', reason: 'must be an object (canary, soak, percent, max_hosts, paused, allow_wide_destructive)' });
    return undefined;
  }
  const obj = raw as Record<string, unknown>;
  const before = errors.length;
  for (const key of Object.keys(obj)) {
    if (!KEYS.includes(key)) errors.push({ field: `rollout.${key}`, reason: `unknown field (allowed: ${KEYS.join(', ')})` });
  }
  const field = <T>(key: string, value: T | string): T | undefined => {
    if (typeof value === 'string') {
      errors.push({ field: `rollout.${key}`, reason: value });
      return undefined;
    }
    return value;
  };
  const flag = (key: string): boolean | undefined =>
    obj[key] === undefined ? false : typeof obj[key] === 'boolean' ? (obj[key] as boolean) : field<boolean>(key, 'must be true or false');

  const allowWideDestructive = flag('allow_wide_destructive');
  const paused = flag('paused');
  const destructive = watch !== undefined && isDestructive(watch);
  const canary = obj.canary === undefined ? (destructive ? 1 : 0) : field<number>('canary', wholeNumber(obj.canary, 0, MAX_CANARY));
  const soakMs = obj.soak === undefined ? DEFAULT_SOAK_MS : field<number>('soak', parseSoak(obj.soak));
  const percent = obj.percent === undefined ? 100 : field<number>('percent', wholeNumber(obj.percent, 1, 100));
  const maxHosts = obj.max_hosts === undefined || obj.max_hosts === null ? null : field<number>('max_hosts', wholeNumber(obj.max_hosts, 1, 1_000_000));
  if (destructive && !allowWideDestructive && canary !== undefined && canary !== 1) {
    errors.push({
      field: 'rollout.canary',
      reason: `a ${destructiveKind(watch!)} watch starts on exactly 1 canary host; set rollout.allow_wide_destructive: true to use ${canary}`,
    });
  }
  if (errors.length > before) return undefined;
  return { canary: canary!, soakMs: soakMs!, percent: percent!, maxHosts: maxHosts ?? null, paused: paused!, allowWideDestructive: allowWideDestructive! };
}

export function rolloutToJson(rollout: Rollout): Required<RolloutJson> {
  return {
    canary: rollout.canary,
    soak: formatSoak(rollout.soakMs),
    percent: rollout.percent,
    max_hosts: rollout.maxHosts,
    paused: rollout.paused,
    allow_wide_destructive: rollout.allowWideDestructive,
  };
}
