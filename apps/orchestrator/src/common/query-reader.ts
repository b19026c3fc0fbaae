import type { FieldError } from '@physwatch/core';
import { InvalidQueryError } from './errors';

const ID = /^[1-9][0-9]{0,17}$/;

/**
 * Reads a list endpoint's query string: unknown and repeated parameters, ids, times, the
 * limit and the keyset cursor, each bad one named. `done()` throws InvalidQueryError
 * listing every problem at once.
 */
export class QueryReader {
  readonly errors: FieldError[] = [];
  private readonly q: Record<string, string | undefined> = {};

  constructor(query: Record<string, unknown>, known: readonly string[]) {
    for (const [key, value] of Object.entries(query)) {
      if (!known.includes(key)) this.errors.push({ field: key, reason: `unknown parameter (allowed: ${known.join(', ')})` });
      else if (typeof value !== 'string') this.errors.push({ field: key, reason: 'give it once' });
      else this.q[key] = value;
    }
  }

  /** A bigint row id such as watch_id or hit_id. */
  id(field: string, what: string): string | undefined {
    const value = this.q[field];
    if (value === undefined) return undefined;
    if (ID.test(value)) return value;
    return this.fail(field, `${JSON.stringify(value)} is not a ${what} id`);
  }

  /** Free text of 1 to 128 characters, such as host_id. */
  text(field: string): string | undefined {
    const value = this.q[field];
    if (value === undefined) return undefined;
    if (value.length > 0 && value.length <= 128) return value;
    return this.fail(field, 'must be 1 to 128 characters');
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.q[field];
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(field, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }

  time(field: string): Date | undefined {
    const value = this.q[field];
    if (value === undefined) return undefined;
    const date = /^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:?\d\d))?$/.test(value) ? new Date(value) : new Date(NaN);
    if (!Number.isNaN(date.getTime())) return date;
    return this.fail(field, `${JSON.stringify(value)} is not an ISO 8601 date or time with a zone`);
  }

  limit(defaultLimit: number, max: number): number {
    const value = this.q.limit;
    if (value === undefined) return defaultLimit;
    const limit = /^[0-9]+$/.test(value) ? Number(value) : NaN;
    if (limit >= 1 && limit <= max) return limit;
    this.fail('limit', `${JSON.stringify(value)} is not a whole number from 1 to ${max}`);
    return defaultLimit;
  }

  /** The id before which the next page starts, from a cursor this API returned for `kind`. */
  cursor(kind: string): string | undefined {
    const value = this.q.cursor;
    if (value === undefined) return undefined;
    return decodeCursor(kind, value) ?? this.fail('cursor', 'not a cursor this API returned');
  }

  fail(field: string, reason: string): undefined {
    this.errors.push({ field, reason });
    return undefined;
  }

  done(): void {
    if (this.errors.length > 0) throw new InvalidQueryError(this.errors);
  }
}

/** The cursor is opaque to clients: the kind of list and the id of the last row of the previous page. */
export function encodeCursor(kind: string, lastId: string): string {
  return Buffer.from(`${kind}:${lastId}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  const id = text.startsWith(prefix) ? text.slice(prefix.length) : '';
  return ID.test(id) ? id : null;
}

/** A list answer from the limit + 1 rows a repository returned: the page, and the cursor to the next one (null on the last). */
export function keysetPage<R extends { id: string }, J>(rows: readonly R[], limit: number, kind: string, toJson: (row: R) => J): { items: J[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(toJson), next_cursor: rows.length > limit ? encodeCursor(kind, page[page.length - 1].id) : null };
}
