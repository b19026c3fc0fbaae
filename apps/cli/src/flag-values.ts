/**
 * Flag values that are not watch spec fields, as on-call types them: `--timeout 60s`,
 * `--since 15m` (15 minutes ago) or `--since 2026-11-26T09:00:00Z`, `--limit 500`.
 * Watch intervals are not these: packages/core parses those.
 */
import { BadInputError } from './cli-error';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s" -> 90000; null when it is not a whole number followed by ms, s, m, h or d. */
export function parseDuration(text: string): number | null {
  const match = /^\s*([0-9]+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : null;
}

export function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms === 0) throw new BadInputError(`${flag}: ${JSON.stringify(text)} is not a duration such as 30s, 5m or 1h`);
  return ms;
}

/** A time for the hits API (ISO 8601 with a zone): a duration means that long before `now`. */
export function timeFlag(flag: string, text: string, now: Date): string {
  const ago = parseDuration(text);
  if (ago !== null) return new Date(now.getTime() - ago).toISOString();
  const date = /(Z|[+-]\d\d:?\d\d)$/i.test(text.trim()) ? new Date(text.trim()) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new BadInputError(`${flag}: ${JSON.stringify(text)} is neither a duration ago (15m, 2h, 1d) nor an ISO 8601 time with a zone (2026-11-26T09:00:00Z)`);
  }
  return date.toISOString();
}

/** "--limit" and friends: a whole number from 1 up. */
export function countFlag(flag: string, text: string): number {
  if (!/^\s*[0-9]+\s*$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new BadInputError(`${flag}: ${JSON.stringify(text)} is not a whole number from 1 up`);
  }
  return Number(text);
}

/** A watch id argument (`watch pause <id>`): ids are decimal strings, as `watch list` shows them. */
export function watchIdArgument(text: string): string {
  if (!/^[0-9]{1,19}$/.test(text)) throw new BadInputError(`<id>: ${JSON.stringify(text)} is not a watch id (a whole number, as watch list shows)`);
  return text;
}
