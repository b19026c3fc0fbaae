/** POST /api/v1/enrollment-tokens body: {"name", "expires_in", "max_uses", "labels"}; every bad field named. */
import { parseSelector, SelectorSyntaxError } from '@physwatch/core';
import { InvalidRequestError } from '../common/errors';

export interface NewEnrollmentTokenInput {
  name: string;
  expiresInMs: number;
  maxUses: number;
  labels: Record<string, string>;
}

const NAME_MAX = 128;
const FIELDS = ['name', 'expires_in', 'max_uses', 'labels'];
const MAX_USES = 1_000_000;
const MAX_LABELS = 64;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const EXPIRES_MIN_MS = 1_000;
const EXPIRES_MAX_MS = 366 * 86_400_000;
export const DEFAULT_EXPIRES_IN = '24h';

/** "90s", "30m", "24h", "7d" -> milliseconds; null when it is not one. */
export function parseExpiresIn(text: string): number | null {
  const match = /^([1-9][0-9]{0,7})([smhd])$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  return ms >= EXPIRES_MIN_MS && ms <= EXPIRES_MAX_MS ? ms : null;
}

export function readNewEnrollmentToken(body: unknown): NewEnrollmentTokenInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError([{ field: '(body)', reason: 'must be a JSON object {"name", "expires_in", "max_uses", "labels"}' }]);
  }
  const input = body as Record<string, unknown>;
  const errors: Array<{ field: string; reason: string }> = [];
  for (const key of Object.keys(input)) if (!FIELDS.includes(key)) errors.push({ field: key, reason: `unknown field (allowed: ${FIELDS.join(', ')})` });
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length === 0 || name.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    errors.push({ field: 'name', reason: `required: 1 to ${NAME_MAX} characters without control characters, e.g. "rack-12"` });
  }
  const expiresIn = input.expires_in ?? DEFAULT_EXPIRES_IN;
  const expiresInMs = typeof expiresIn === 'string' ? parseExpiresIn(expiresIn) : null;
  if (expiresInMs === null) errors.push({ field: 'expires_in', reason: 'must be a duration from "1s" to "366d" written as <n>s, <n>m, <n>h or <n>d, e.g. "24h"' });
  const maxUses = input.max_uses ?? 1;
  if (typeof maxUses !== 'number' || !Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_USES) {
    errors.push({ field: 'max_uses', reason: `must be a whole number from 1 to ${MAX_USES}` });
  }
  const labels = readLabels(input.labels ?? {}, errors);
  if (errors.length > 0) throw new InvalidRequestError(errors);
  return { name, expiresInMs: expiresInMs!, maxUses: maxUses as number, labels };
}

/** Labels as a selector can name them: each pair must parse as the requirement key=value. */
function readLabels(value: unknown, errors: Array<{ field: string; reason: string }>): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push({ field: 'labels', reason: 'must be an object of label key -> value, e.g. {"env": "prod"}' });
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_LABELS) errors.push({ field: 'labels', reason: `${entries.length} labels, at most ${MAX_LABELS}` });
  const labels: Record<string, string> = {};
  for (const [key, v] of entries) {
    const field = `labels.${key}`;
    if (typeof v !== 'string' || v === '' || v.includes('\u0000')) {
      errors.push({ field, reason: 'must be a non-empty string' });
      continue;
    }
    try {
      const parsed = parseSelector(`${key}=${v}`);
      const req = parsed[0];
      if (parsed.length !== 1 || req.key !== key || req.op !== 'eq' || req.value !== v) throw new SelectorSyntaxError('not one key=value');
    } catch (err) {
      if (!(err instanceof SelectorSyntaxError)) throw err;
      errors.push({ field, reason: `not a label a selector can name (key: letters, digits, "._/-"; value: no spaces, commas, parentheses, "=" or "!")` });
      continue;
    }
    labels[key] = v;
  }
  return labels;
}
