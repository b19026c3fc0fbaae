import type { AdvanceRuleJson, HuntSpecJson, HuntStageJson, HuntView } from '@physwatch/core';
import { targetText } from '../format';

export function huntTitle(h: Pick<HuntView, 'id' | 'spec'>): string {
  return h.spec.name ? `${h.spec.name} (#${h.id})` : `hunt #${h.id}`;
}

export function huntSelector(hosts: HuntSpecJson['hosts']): string {
  return 'selector' in hosts ? hosts.selector || '(all hosts)' : hosts.ids.join(', ');
}

export function huntCondition(spec: HuntSpecJson): string {
  return `${spec.condition}${spec.value ? ` ${spec.value}` : ''}${spec.mask ? ` mask ${spec.mask}` : ''}`;
}

export function huntTarget(spec: HuntSpecJson): string {
  return `${targetText(spec.target)} · width ${spec.width}${spec.len && spec.len !== spec.width ? ` · len ${spec.len}` : ''}`;
}

/** Budget in ppm of one CPU, read as a percentage: 10,000 ppm = 1 %. */
export function budgetText(ppm: number | undefined): string {
  return ppm === undefined ? '—' : `${Number((ppm / 10_000).toPrecision(3))} % of a CPU per host`;
}

export function stageMode(stage: HuntStageJson): string {
  const mode = stage.mode ?? 'timer';
  const funcs = mode !== 'timer' && stage.funcs?.length ? ` on ${stage.funcs.join(', ')}` : '';
  return `${mode}${funcs}${stage.rate ? ` · ≤ ${stage.rate} hits/s` : ''}`;
}

export function stageAction(stage: HuntStageJson): string {
  return `${stage.action ?? 'report'}${stage.kdump_on_hit ? ' + kdump on hit' : ''}${stage.rollout?.max_hosts ? ` · at most ${stage.rollout.max_hosts} host${stage.rollout.max_hosts === 1 ? '' : 's'}` : ''}`;
}

/** Stages that can leave a vmcore behind: the ones whose hit crashes or dumps the host. */
export function stageDumps(stage: HuntStageJson): boolean {
  return !!stage.kdump_on_hit || stage.action === 'panic' || stage.action === 'hang';
}

export function advanceText(rule: AdvanceRuleJson | null | undefined, last: boolean): string {
  if (last) return '— (last stage)';
  if (rule === null) return 'only by hand';
  const r = rule ?? { after_hits: 3 };
  const parts: string[] = [];
  if (r.after_hits !== undefined) parts.push(`after ${r.after_hits} hit${r.after_hits === 1 ? '' : 's'}`);
  if (r.bracket_stalled) parts.push(`when the bracket stalls${typeof r.bracket_stalled === 'object' && r.bracket_stalled.window ? ` (window ${r.bracket_stalled.window})` : ''}`);
  return parts.join(' or ') || 'only by hand';
}
