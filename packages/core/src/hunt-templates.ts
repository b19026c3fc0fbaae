/**
 * Named starting points for a hunt (CLI `physwatch hunt start --template NAME`). A template
 * is hunt spec JSON without the fleet: the caller adds `hosts` (and may add a cohort); the
 * result still goes through parseHuntSpec like any other input.
 */
import type { HuntSpecJson } from './hunt-spec';

export const HUNT_TEMPLATES = ['zero-page'] as const;
export type HuntTemplateName = (typeof HUNT_TEMPLATES)[number];

/**
 * zero-page: the seed's own case. The kernel's zero page must stay all zeroes, so any change
 * of any of its words is the corruption: report at 30 ms, 1 ms and 100 µs, then a stack, then
 * hang one host (a hang watch reaches one canary host only; the agent's own opt-in and the
 * fleet's rules for destructive watches apply as to any hang watch).
 */
export function huntTemplate(name: HuntTemplateName): Omit<HuntSpecJson, 'hosts'> {
  switch (name) {
    case 'zero-page':
      return {
        name: 'zero page',
        target: { symbol: 'empty_zero_page' },
        width: 8,
        len: 4096,
        condition: 'any_change',
        stages: [
          { interval: '30ms', action: 'report', advance: { after_hits: 1 } },
          { interval: '1ms', action: 'report', advance: { after_hits: 1 } },
          { interval: '100us', action: 'report', advance: { after_hits: 1 } },
          { interval: '100us', action: 'stack', advance: { after_hits: 1 } },
          { interval: '100us', action: 'hang' },
        ],
      };
  }
}
