import { describe, expect, it } from 'vitest';
import { huntIsDestructive, huntSpecToJson, parseHuntSpec, stageWatchJson } from './hunt-spec';
import { huntTemplate } from './hunt-templates';
import { ValidationError } from './validation-error';
import { parseWatchSpec } from './watch-spec';

const BASE = { target: { paddr: '0x2000' }, width: 1, condition: 'any_change', hosts: { selector: 'pool=lab' } };

function errorsOf(input: unknown): Array<{ field: string; reason: string }> {
  try {
    parseHuntSpec(input);
  } catch (err) {
    if (err instanceof ValidationError) return err.errors;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseHuntSpec', () => {
  it('fills the default ladder: 30ms, 1ms, 100us report, stack, one kdump on one host', () => {
    const spec = parseHuntSpec(BASE);
    expect(spec.stages.map((s) => [s.intervalUs, s.action, s.kdumpOnHit])).toEqual([
      [30_000, 'report', false], [1_000, 'report', false], [100, 'report', false], [100, 'stack', false], [100, 'report', true],
    ]);
    expect(spec.stages[0].advance).toEqual({ afterHits: 3, bracketStalled: null });
    expect(spec.stages.at(-1)!.advance).toBeNull();
    expect(spec.stages.at(-1)!.watch.rollout).toEqual({ max_hosts: 1 });
    expect(spec.budgetPpm).toBe(10_000);
    expect(huntIsDestructive(spec)).toBe(true);
  });

  it('adds the ftrace stage to the default ladder only when functions are named, checked by the watch spec', () => {
    const spec = parseHuntSpec({ ...BASE, funcs: ['dma_map_page_attrs'] });
    expect(spec.stages).toHaveLength(6);
    expect(spec.stages[3]).toMatchObject({ mode: 'both', intervalUs: 100, watch: { funcs: ['dma_map_page_attrs'] } });
    expect(errorsOf({ ...BASE, funcs: ['9bad'] }).map((e) => e.field)).toEqual(['funcs[0]']);
    expect(errorsOf({ ...BASE, funcs: [] }).map((e) => e.field)).toEqual(['funcs']);
  });

  it('gives an ftrace stage no interval, and the stage after it the last interval there was', () => {
    const spec = parseHuntSpec({ ...BASE, stages: [{ interval: '1ms' }, { mode: 'ftrace', funcs: ['memset'] }, { action: 'stack' }] });
    expect(spec.stages.map((s) => [s.mode, s.intervalUs, s.watch.interval])).toEqual([['timer', 1000, '1ms'], ['ftrace', 0, undefined], ['timer', 1000, '1ms']]);
    expect(parseHuntSpec(huntSpecToJson(spec))).toEqual(spec);
    expect(errorsOf({ ...BASE, stages: [{ interval: '1ms' }, { mode: 'ftrace', interval: '1ms', funcs: ['memset'] }] }).map((e) => e.field)).toEqual(['stages[1].interval']);
    expect(errorsOf({ ...BASE, stages: [{ interval: '1ms' }, { mode: 'both' }] }).map((e) => e.field)).toEqual(['stages[1].funcs']);
  });

  it('round-trips through its canonical JSON', () => {
    const input = { ...BASE, name: 'h', cohort: ['dmi.bios.version'], budget_ppm: 500, stages: [
      { interval: '30ms', advance: { after_hits: 2, bracket_stalled: { window: 4 } } },
      { interval: '1ms', advance: { bracket_stalled: true } },
      { action: 'stack' },
    ] };
    const spec = parseHuntSpec(input);
    expect(spec.stages[2].intervalUs).toBe(1000);
    expect(spec.stages[1].advance).toEqual({ afterHits: null, bracketStalled: { window: 5 } });
    expect(parseHuntSpec(huntSpecToJson(spec))).toEqual(spec);
  });

  it('builds each stage watch through parseWatchSpec, on the ids it is given', () => {
    const spec = parseHuntSpec({ ...BASE, stages: [{ interval: '30ms' }, { interval: '100us', action: 'panic' }] });
    const watch = parseWatchSpec(stageWatchJson(spec, 1, ['h1', 'h2'], '7'));
    expect(watch).toMatchObject({ action: 'panic', intervalUs: 100, hosts: { kind: 'ids', ids: ['h1', 'h2'] }, name: 'hunt 7 · stage 1' });
    expect(watch.rollout.canary).toBe(1);
  });

  it('names the field of every bad stage, and the hunt field for shared ones', () => {
    const errors = errorsOf({ ...BASE, width: 3, cohort: ['ok', 'bad key'], budget_ppm: 0, stages: [
      { interval: '30ms' },
      { interval: '5us', advance: { after_hits: 0 } },
      { action: 'explode' },
      { interval: '1ms', kdump_on_hit: true, rollout: { canary: 3 }, advance: { after_hits: 1 } },
    ] });
    const fields = errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining([
      'width', 'cohort[1]', 'budget_ppm', 'stages[1].interval', 'stages[1].advance.after_hits', 'stages[2].action', 'stages[3].rollout.canary', 'stages[3].advance',
    ]));
    // `width` is shared by every stage's watch: reported once.
    expect(fields.filter((f) => f === 'width')).toHaveLength(1);
    expect(errors.find((e) => e.field === 'stages[1].interval')!.reason).toMatch(/100us to 1h/);
  });

  it('refuses a first stage without an interval, unknown fields, a bad selection, and too many stages', () => {
    expect(errorsOf({ ...BASE, stages: [{ action: 'report' }] }).map((e) => e.field)).toContain('stages[0].interval');
    expect(errorsOf({ ...BASE, stages: [{ interval: '1ms', speed: 1 }], extra: 1 }).map((e) => e.field)).toEqual(expect.arrayContaining(['stages[0].speed', 'extra']));
    expect(errorsOf({ ...BASE, hosts: { ids: [] } }).map((e) => e.field)).toEqual(['hosts.ids']);
    expect(errorsOf({ ...BASE, stages: Array.from({ length: 17 }, () => ({ interval: '1ms' })) }).map((e) => e.field)).toEqual(['stages']);
    expect(errorsOf({ ...BASE, funcs: ['a'], stages: [{ interval: '1ms' }] }).map((e) => e.field)).toEqual(['funcs']);
    expect(errorsOf([1])).toEqual([{ field: '(body)', reason: 'must be a JSON object' }]);
  });

  it('the zero-page template is a valid hunt once hosts are given, ending in one hang', () => {
    const spec = parseHuntSpec({ ...huntTemplate('zero-page'), hosts: { selector: 'physwatch.hang=allowed' } });
    expect(spec.base.target).toEqual({ symbol: 'empty_zero_page' });
    expect(spec.stages.at(-1)!.action).toBe('hang');
  });
});
