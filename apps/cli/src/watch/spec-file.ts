/** `watch create -f FILE`: a watch spec as YAML or JSON (the API's own shape), or `-` for stdin. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { BadInputError } from '../cli-error';

export function readSpecFile(file: string): unknown {
  return parseSpecText(readText(file), file);
}

/**
 * `apply -f FILE`: every watch of the file, in order — YAML documents separated by `---`, or
 * a JSON object or array of objects.
 */
export function readSpecDocuments(file: string): unknown[] {
  const text = readText(file);
  if (file.endsWith('.json')) {
    const doc = parseSpecText(text, file);
    return Array.isArray(doc) ? doc : [doc];
  }
  const docs = parseAllDocuments(text, { intAsBigInt: true });
  if (!Array.isArray(docs)) throw new BadInputError(`-f ${file}: not valid YAML`);
  const out: unknown[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) throw new BadInputError(`-f ${file}: document ${i + 1} is not valid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as unknown;
    if (value !== null && value !== undefined) out.push(exactNumbers(value));
  });
  return out;
}

function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new BadInputError(`-f ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
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
