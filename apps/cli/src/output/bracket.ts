/** A hit's bracket for people: "bracket 29.8ms"; `-o json` keeps the exact ns. */
import type { HitView } from '@physwatch/core';

const UNITS: ReadonlyArray<[string, bigint]> = [
  ['s', 1_000_000_000n],
  ['ms', 1_000_000n],
  ['us', 1_000n],
];

/** ns -> three significant digits in the largest unit it reaches: 29812345 -> "29.8ms", 850 -> "850ns". */
export function formatNs(ns: bigint): string {
  for (const [unit, scale] of UNITS) {
    if (ns >= scale) return `${Number((Number(ns) / Number(scale)).toPrecision(3))}${unit}`;
  }
  return `${ns}ns`;
}

/** The bracket's width, or "-" when the backend did not record when it last saw the old value. */
export function bracketText(h: Pick<HitView, 'bracket_ns'>): string {
  return h.bracket_ns === null ? '-' : formatNs(BigInt(h.bracket_ns));
}
