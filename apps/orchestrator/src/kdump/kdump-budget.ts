/**
 * The fleet crash budget, as a pure function of the rules and the jobs that hold budget.
 * Every rule whose selector matches the host must have room; the first that has none is
 * the reason, naming the rule and the hosts that hold it.
 */
import { matchesSelector } from '@physwatch/core';
import { KDUMP_CRASH_STATES, KdumpBudgetEntry } from '@physwatch/db';
import type { KdumpBudget } from '../config/config';

export const BUDGET_WINDOW_MS = 3_600_000;

export type BudgetVerdict = { room: true } | { room: false; reason: string };

function ruleName(rule: KdumpBudget): string {
  return `fleet crash budget "${rule.selector === '' ? 'fleet' : rule.selector}"`;
}

function hostList(entries: readonly KdumpBudgetEntry[]): string {
  const hosts = [...new Set(entries.map((e) => e.hostId))];
  return hosts.length > 5 ? `${hosts.slice(0, 5).join(', ')} and ${hosts.length - 5} more` : hosts.join(', ');
}

export function checkBudget(
  rules: readonly KdumpBudget[],
  host: { id: string; labels: Readonly<Record<string, string>> },
  usage: readonly KdumpBudgetEntry[],
  now: Date,
): BudgetVerdict {
  for (const rule of rules) {
    if (rule.requirements.length > 0 && !matchesSelector(rule.requirements, host.labels)) continue;
    const matching = usage.filter((e) => rule.requirements.length === 0 || matchesSelector(rule.requirements, e.labels));
    const inCrash = matching.filter((e) => KDUMP_CRASH_STATES.includes(e.state));
    if (inCrash.length >= rule.maxConcurrent) {
      return { room: false, reason: `${ruleName(rule)}: ${inCrash.length} of ${rule.maxConcurrent} concurrent crashes in progress${inCrash.length ? ` (${hostList(inCrash)})` : ''}` };
    }
    const since = now.getTime() - BUDGET_WINDOW_MS;
    const recent = matching.filter((e) => e.triggeredAt !== null && e.triggeredAt.getTime() > since);
    if (recent.length >= rule.maxPerHour) {
      const oldest = Math.min(...recent.map((e) => e.triggeredAt!.getTime()));
      const next = recent.length > 0 ? `; room again at ${new Date(oldest + BUDGET_WINDOW_MS).toISOString()}` : '';
      return { room: false, reason: `${ruleName(rule)}: ${recent.length} of ${rule.maxPerHour} crashes in the last hour${recent.length ? ` (${hostList(recent)})` : ''}${next}` };
    }
  }
  return { room: true };
}
