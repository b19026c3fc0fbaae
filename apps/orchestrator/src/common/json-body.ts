/**
 * The one body parser: application/json, at most BODY_LIMIT_BYTES (413 beyond), valid UTF-8,
 * nested at most JSON_MAX_DEPTH deep (measured before parsing, so a 100k-deep body costs
 * one linear scan and never a deep recursion anywhere after), and only strings Postgres can
 * store (no NUL, no lone surrogate), with no "__proto__" key. Anything else is a 400 naming
 * the field; any other content type is a 415.
 */
import type { FieldError } from '@physwatch/core';
import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from './errors';

/** The largest watch spec (10,000 host ids of 128 characters) is about 1.3 MB. */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;
/** A watch spec nests 3 deep; the rest of the API less. */
export const JSON_MAX_DEPTH = 64;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const BODY = '(body)';
// String.prototype.isWellFormed is in Node 20 but not in the ES2023 lib this builds with.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How deep `text` nests, counting only up to just past `limit`. */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent === BODY ? '' : parent}[${key}]`;
  return parent === BODY ? key : `${parent}.${key}`;
}

function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape), which is not Unicode text';
  return null;
}

/** Every string (keys included) that cannot be stored; depth is already bounded. */
function findBadStrings(value: unknown, field: string, out: FieldError[]): void {
  if (typeof value === 'string') {
    const reason = stringProblem(value);
    if (reason) out.push({ field, reason });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findBadStrings(item, fieldPath(field, i), out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = key === '__proto__' ? 'is not accepted' : stringProblem(key);
      if (keyProblem) out.push({ field: fieldPath(field, key.replace(/[\u0000\ud800-\udfff]/g, '\ufffd')), reason: `key ${keyProblem}` });
      else findBadStrings(item, fieldPath(field, key), out);
    }
  }
}

export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw new InvalidRequestError([{ field: BODY, reason: 'is not valid UTF-8' }]);
  }
  if (text.trim() === '') throw new InvalidRequestError([{ field: BODY, reason: 'is empty although content-type is application/json' }]);
  const depth = nestingDepth(text, JSON_MAX_DEPTH);
  if (depth > JSON_MAX_DEPTH) throw new InvalidRequestError([{ field: BODY, reason: `nests deeper than ${JSON_MAX_DEPTH} levels` }]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidRequestError([{ field: BODY, reason: `is not valid JSON: ${(err as Error).message}` }]);
  }
  const problems: FieldError[] = [];
  findBadStrings(value, BODY, problems);
  if (problems.length > 0) throw new InvalidRequestError(problems);
  return value;
}

/** Replaces Fastify's and Nest's parsers (Nest's are off: bodyParser false in bootstrap). */
export function installJsonBody(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
