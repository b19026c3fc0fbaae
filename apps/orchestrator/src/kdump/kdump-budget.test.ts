import { parseSelector } from '@physwatch/core';
import type { KdumpBudgetEntry } from '@physwatch/db';
import { describe, expect, it } from 'vitest';
import type { KdumpBudget } from '../config/config';
import { checkBudget } from './kdump-budget';

const NOW = new Date('2026-11-26T12:00:00Z');
const rule = (selector: string, maxConcurrent: number, maxPerHour: number): KdumpBudget => ({
  selector, requirements: selector === '' ? [] : parseSelector(selector), maxConcurrent, maxPerHour,
});
const entry = (hostId: string, state: KdumpBudgetEntry['state'], minutesAgo: number | null, rack = 'r1'): KdumpBudgetEntry => ({
  id: `kdump-${hostId}`, hostId, labels: { rack }, state, triggeredAt: minutesAgo === null ? null : new Date(NOW.getTime() - minutesAgo * 60_000),
});
const host = (id: string, rack = 'r1') => ({ id, labels: { rack } });

describe('checkBudget', () => {
  it('counts hosts in a crash against max_concurrent and names who holds it', () => {
    const usage = [entry('host-a', 'triggering', 1), entry('host-b', 'awaiting_reboot', 2)];
    expect(checkBudget([rule('', 2, 10)], host('host-c'), usage, NOW)).toEqual({
      room: false,
      reason: 'fleet crash budget "fleet": 2 of 2 concurrent crashes in progress (host-a, host-b)',
    });
    expect(checkBudget([rule('', 3, 10)], host('host-c'), usage, NOW)).toEqual({ room: true });
  });

  it('counts crashes triggered within the hour, finished or not, against max_per_hour', () => {
    const usage = [entry('host-a', 'done', 50), entry('host-b', 'failed', 10)];
    const verdict = checkBudget([rule('', 5, 2)], host('host-c'), usage, NOW);
    expect(verdict).toEqual({
      room: false,
      reason: 'fleet crash budget "fleet": 2 of 2 crashes in the last hour (host-a, host-b); room again at 2026-11-26T12:10:00.000Z',
    });
    expect(checkBudget([rule('', 5, 2)], host('host-c'), [entry('host-a', 'done', 61), entry('host-b', 'failed', 10)], NOW)).toEqual({ room: true });
  });

  it('applies only rules whose selector matches the host, each counting only its own hosts', () => {
    const rules = [rule('', 10, 10), rule('rack=r1', 1, 10)];
    const usage = [entry('host-a', 'collecting', 5, 'r1'), entry('host-x', 'triggering', 1, 'r2')];
    expect(checkBudget(rules, host('host-b', 'r1'), usage, NOW)).toEqual({
      room: false,
      reason: 'fleet crash budget "rack=r1": 1 of 1 concurrent crashes in progress (host-a)',
    });
    expect(checkBudget(rules, host('host-y', 'r2'), usage, NOW)).toEqual({ room: true });
    expect(checkBudget([rule('', 0, 10)], host('host-y'), [], NOW)).toEqual({ room: false, reason: 'fleet crash budget "fleet": 0 of 0 concurrent crashes in progress' });
  });
});
