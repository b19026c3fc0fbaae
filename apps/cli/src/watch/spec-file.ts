/** `watch create -f FILE`: a watch spec as YAML or JSON (the API's own shape), or `-` for stdin. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { BadInputError } from '../cli-error';

export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new BadInputError(`-f ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseSpecText(text, file);
}

export function parseSpecText(text: string, file: string): unknown {
  try {
    // JSON is YAML too, but JSON.parse names the position of a JSON mistake better.
    if (file.endsWith('.json')) return JSON.parse(text);
    // Integers as bigint: an unquoted 64-bit `value: 0xffffffffffffffff` must not lose bits.
    return exactNumbers(parseYaml(text, { intAsBigInt: true }));
  } catch (err) {
    throw new BadInputError(`-f ${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

/** bigint -> number when exact, else its decimal text (which core accepts for u64 fields). */
function exactNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(exactNumbers);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactNumbers(v)]));
  return value;
}
