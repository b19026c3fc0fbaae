/**
 * Label selectors with Kubernetes semantics: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k` (exists) and `!k` (does not exist), joined by commas (AND).
 */

import { AGENT_LIMITS } from './agent-limits';

/**
 * The stated limits of a selector. Keys and values are bounded like the labels a host may
 * carry (agent-limits.ts): a longer one could never match any host.
 */
export const SELECTOR_LIMITS = {
  length: 4096,
  requirements: 64,
  setValues: 256,
  keyLength: AGENT_LIMITS.labelKeyLength,
  valueLength: AGENT_LIMITS.labelValueLength,
} as const;

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type Labels = Readonly<Record<string, string>>;

export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
const VALUE = /^[^\s,()=!]*$/;

/** A clause quoted in an error, cut short when it is long. */
function shown(clause: string): string {
  return JSON.stringify(clause.length > 64 ? `${clause.slice(0, 64)}…` : clause);
}

function checkKey(key: string, clause: string): string {
  if (key.length > SELECTOR_LIMITS.keyLength) throw new SelectorSyntaxError(`label key of ${key.length} characters in ${shown(clause)} (at most ${SELECTOR_LIMITS.keyLength})`);
  if (!KEY.test(key)) throw new SelectorSyntaxError(`bad label key "${key}" in "${clause}"`);
  return key;
}

function checkValue(value: string, clause: string): string {
  if (value.length > SELECTOR_LIMITS.valueLength) throw new SelectorSyntaxError(`label value of ${value.length} characters in ${shown(clause)} (at most ${SELECTOR_LIMITS.valueLength})`);
  if (!VALUE.test(value)) throw new SelectorSyntaxError(`bad label value "${value}" in "${clause}"`);
  return value;
}

/** Splits on commas that are not inside a parenthesised set. */
function splitClauses(selector: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new SelectorSyntaxError(`unbalanced ")" in "${selector}"`);
    if (ch === ',' && depth === 0) {
      clauses.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new SelectorSyntaxError(`unclosed "(" in "${selector}"`);
  clauses.push(current.trim());
  return clauses;
}

function parseClause(clause: string): Requirement {
  if (clause === '') throw new SelectorSyntaxError('empty requirement (two commas in a row, or a trailing comma)');
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(clause);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim(), clause));
    if (values.length > SELECTOR_LIMITS.setValues) throw new SelectorSyntaxError(`${values.length} values in set ${shown(clause)} (at most ${SELECTOR_LIMITS.setValues})`);
    if (values.some((v) => v === '')) throw new SelectorSyntaxError(`empty value in set "${clause}"`);
    return { key: checkKey(set[1], clause), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(clause);
  if (cmp) {
    const op = cmp[2] === '!=' ? 'neq' : 'eq';
    return { key: checkKey(cmp[1], clause), op, value: checkValue(cmp[3].trim(), clause) };
  }
  if (clause.startsWith('!')) return { key: checkKey(clause.slice(1).trim(), clause), op: 'notexists' };
  return { key: checkKey(clause, clause), op: 'exists' };
}

export function parseSelector(selector: string): Requirement[] {
  if (selector.trim() === '') throw new SelectorSyntaxError('selector is empty');
  if (selector.length > SELECTOR_LIMITS.length) throw new SelectorSyntaxError(`selector is ${selector.length} characters (at most ${SELECTOR_LIMITS.length})`);
  const clauses = splitClauses(selector);
  if (clauses.length > SELECTOR_LIMITS.requirements) throw new SelectorSyntaxError(`${clauses.length} requirements (at most ${SELECTOR_LIMITS.requirements})`);
  return clauses.map(parseClause);
}

export function matchesRequirement(req: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case 'eq':
      return value === req.value;
    case 'neq':
      return value !== req.value;
    case 'in':
      return has && req.values.includes(value as string);
    case 'notin':
      return !has || !req.values.includes(value as string);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function matchesSelector(requirements: readonly Requirement[], labels: Labels): boolean {
  return requirements.every((req) => matchesRequirement(req, labels));
}
