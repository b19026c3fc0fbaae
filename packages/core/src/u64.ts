/** Parsing and printing of unsigned 64-bit quantities (addresses, values, masks). */

export const U64_MAX = (1n << 64n) - 1n;

/**
 * Accepts "0x"-prefixed hex, a decimal string, or a safe non-negative integer.
 * Returns null when the input is none of those, so the caller can name its field.
 */
export function parseU64(input: unknown): bigint | null {
  let parsed: bigint;
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) return null;
    parsed = BigInt(input);
  } else if (typeof input === 'string') {
    const text = input.trim().replace(/_/g, '');
    if (/^0x[0-9a-f]+$/i.test(text) || /^[0-9]+$/.test(text)) parsed = BigInt(text);
    else return null;
  } else if (typeof input === 'bigint') {
    parsed = input;
  } else {
    return null;
  }
  return parsed >= 0n && parsed <= U64_MAX ? parsed : null;
}

export function toHex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** Largest value a word of `width` bytes holds. */
export function maxForWidth(width: number): bigint {
  return (1n << BigInt(width * 8)) - 1n;
}
