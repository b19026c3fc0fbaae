/**
 * Bytes in a URL or headers that no route can use, found before any handler sees them:
 * bad percent-escapes, escapes that are not UTF-8, control characters (NUL cannot even be
 * stored in Postgres text), repeated headers that must come once, and a missing Host.
 *
 * The router would answer a bad escape itself, before any hook, so neither the token check
 * nor the audit log would see the request. `repairUrl` (Fastify's rewriteUrl) escapes the
 * bad parts so routing goes on, and remembers what was wrong; the onRequest hook installed
 * after authentication then answers 400 naming the part. Authentication stays first: a
 * stranger's hostile request is a 401, counted by the failed-authentication limit, and
 * cannot grow the audit log faster than that allows.
 */
import type { IncomingMessage } from 'node:http';
import type { FieldError } from '@physwatch/core';
import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from './errors';
import { toHttpError } from './http-error.filter';

// A run of well-formed escapes, or a "%" that starts none.
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+|%/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Headers Node would keep only the first of (node:http), so a second one would go unseen. */
const SINGLE_HEADERS = ['authorization', 'content-type', 'content-length', 'host'];

const problemsOf = new WeakMap<IncomingMessage, FieldError[]>();

interface Repaired {
  text: string;
  /** Why the text cannot be decoded; null when it can. */
  bad: string | null;
}

/** Escapes every "%" of a part that does not decode, so it reaches the router as literal text. */
function repairEscapes(text: string): Repaired {
  let bad: string | null = null;
  const repaired = text.replace(ESCAPES, (run) => {
    if (run === '%') {
      bad ??= 'has a "%" that starts no %XX escape';
      return '%25';
    }
    try {
      UTF8.decode(Buffer.from(run.replace(/%/g, ''), 'hex'));
      return run;
    } catch {
      bad ??= `has percent-escapes that are not UTF-8 (${run.length > 24 ? `${run.slice(0, 24)}…` : run})`;
      return run.replace(/%/g, '%25');
    }
  });
  return { text: repaired, bad };
}

function decoded(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

function checkDecoded(field: string, text: string, problems: FieldError[]): void {
  if (CONTROL.test(decoded(text))) problems.push({ field, reason: 'contains a control character (%00-%1F or %7F; NUL cannot be stored)' });
}

/** The URL to route, and every problem of its path and query (a query problem names its parameter). */
export function repairUrl(url: string): { url: string; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const q = url.indexOf('?');
  const path = repairEscapes(q < 0 ? url : url.slice(0, q));
  if (path.bad) problems.push({ field: '(path)', reason: path.bad });
  else checkDecoded('(path)', path.text, problems);
  if (q < 0) return { url: path.text, problems };

  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const key = repairEscapes(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? null : repairEscapes(pair.slice(eq + 1));
    const field = key.bad ? '(query)' : decoded(key.text).replace(CONTROL, '?');
    for (const part of [key, value]) {
      if (part === null) continue;
      if (part.bad) problems.push({ field, reason: part.bad });
      else checkDecoded(field, part.text, problems);
    }
    return value === null ? key.text : `${key.text}=${value.text}`;
  });
  return { url: `${path.text}?${pairs.join('&')}`, problems };
}

/** Fastify's rewriteUrl: never refuses (that would skip the hooks), only remembers. */
export function rewriteUrl(req: IncomingMessage): string {
  const { url, problems } = repairUrl(req.url ?? '/');
  if (problems.length > 0) problemsOf.set(req, problems);
  return url;
}

/** Headers given more than once that must come once (rawHeaders keeps every copy), and HTTP/1.1's required Host. */
export function headerProblems(httpVersion: string, rawHeaders: readonly string[]): FieldError[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (SINGLE_HEADERS.includes(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const problems = [...counts].filter(([, n]) => n > 1).map(([name, n]) => ({ field: `header ${name}`, reason: `given ${n} times; give it once` }));
  if (httpVersion === '1.1' && !counts.has('host')) problems.push({ field: 'header host', reason: 'required by HTTP/1.1' });
  return problems;
}

/** Registered after the authentication hook (see above). */
export function installRequestChecks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const problems = [...(problemsOf.get(request.raw) ?? []), ...headerProblems(request.raw.httpVersion, request.raw.rawHeaders)];
    if (problems.length === 0) return;
    const { status, body } = toHttpError(new InvalidRequestError(problems));
    return reply.code(status).send(body);
  });
}
