import { describe, expect, it } from 'vitest';
import { BackendEventListeners } from './backend-events';
import type { BackendEvent } from './watch-backend';

const disarmed: BackendEvent = { kind: 'disarmed', watchId: '1', reason: 'max_hits reached' };

describe('BackendEventListeners', () => {
  it('calls each listener until it unsubscribes, and nothing after close', () => {
    const events = new BackendEventListeners();
    const a: BackendEvent[] = [];
    const b: BackendEvent[] = [];
    const offA = events.add((e) => a.push(e));
    events.add((e) => b.push(e));
    events.emit(disarmed);
    offA();
    events.emit(disarmed);
    events.close();
    events.emit(disarmed);
    expect([a.length, b.length]).toEqual([1, 2]);
  });
});
