/** Poll intervals: written with a unit ("500us", "30ms", "1s"), kept as whole microseconds. */

export const MIN_INTERVAL_US = 100;
export const MAX_INTERVAL_US = 3_600_000_000;

const UNIT_US: Record<string, number> = { us: 1, 'µs': 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

export type IntervalParse = { ok: true; us: number } | { ok: false; reason: string };

export function parseInterval(input: unknown): IntervalParse {
  if (typeof input !== 'string') {
    return { ok: false, reason: 'must be a string with a unit, e.g. "30ms", "500us", "1s"' };
  }
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zµ]+)\s*$/i.exec(input);
  if (!match) return { ok: false, reason: `"${input}" is not a number followed by a unit (us, ms, s, m, h)` };
  const unit = match[2].toLowerCase();
  const scale = UNIT_US[unit];
  if (scale === undefined) return { ok: false, reason: `unknown unit "${match[2]}" (use us, ms, s, m or h)` };
  const us = Number(match[1]) * scale;
  if (!Number.isInteger(us)) return { ok: false, reason: `"${input}" is not a whole number of microseconds` };
  if (us < MIN_INTERVAL_US || us > MAX_INTERVAL_US) {
    return { ok: false, reason: `"${input}" is out of range: an interval is 100us to 1h` };
  }
  return { ok: true, us };
}

/** The shortest exact spelling: 30000 -> "30ms", 1500 -> "1500us". */
export function formatInterval(us: number): string {
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    if (us % UNIT_US[unit] === 0) return `${us / UNIT_US[unit]}${unit}`;
  }
  return `${us}us`;
}
