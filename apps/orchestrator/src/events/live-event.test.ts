import { describe, expect, it } from 'vitest';
import { decodeLiveEvent, eventsChannel, mergeLiveEvents } from './live-event';

describe('live events', () => {
  it('decodes what the triggers of migration 0005 send, and nothing else', () => {
    expect(decodeLiveEvent('{"kind":"hits","count":3,"watch_ids":["1"],"host_ids":null}')).toEqual({ kind: 'hits', count: 3, watch_ids: ['1'], host_ids: null });
    expect(decodeLiveEvent('{"kind":"host","host_ids":["a"]}')).toEqual({ kind: 'host', host_ids: ['a'] });
    expect(decodeLiveEvent('{"kind":"watch","watch_ids":[1]}')).toBeNull();
    expect(decodeLiveEvent('not json')).toBeNull();
  });

  it('folds a burst into one event per kind; many ids become null', () => {
    const hosts = [...Array(60).keys()].map((i) => ({ kind: 'host' as const, host_ids: [`h${i}`] }));
    expect(
      mergeLiveEvents([
        { kind: 'hits', count: 2, watch_ids: ['1'], host_ids: ['a'] },
        { kind: 'watch', watch_ids: ['1'] },
        { kind: 'hits', count: 1, watch_ids: ['2'], host_ids: ['a'] },
        ...hosts,
      ]),
    ).toEqual([
      { kind: 'hits', count: 3, watch_ids: ['1', '2'], host_ids: ['a'] },
      { kind: 'watch', watch_ids: ['1'] },
      { kind: 'host', host_ids: null },
    ]);
    expect(mergeLiveEvents([{ kind: 'watch', watch_ids: ['1'] }, { kind: 'resync' }])).toEqual([{ kind: 'resync' }]);
  });

  it('names the channel per schema like the SQL function does', () => {
    expect(eventsChannel('public')).toBe('physwatch_events');
    expect(eventsChannel('e2e_abc')).toBe('physwatch_events_e2e_abc');
    expect(eventsChannel('x'.repeat(63))).toHaveLength(63);
  });
});
