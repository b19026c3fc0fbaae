/** How watches read in a terminal: one row per watch, or `describe`'s page for one. */
import { targetJsonText } from '@physwatch/core';
import type { WatchDetailView, WatchView } from '@physwatch/core';
import { assignmentsTable } from './assignment-table';
import { renderTable } from './table';

const WATCH_HEADERS = ['ID', 'NAME', 'STATE', 'TARGET', 'WIDTH', 'CONDITION', 'INTERVAL', 'ACTION', 'HOSTS', 'ARMED', 'PENDING', 'FAILED', 'CREATED'];

export function watchesTable(watches: readonly (WatchView | WatchDetailView)[]): string {
  return renderTable(
    WATCH_HEADERS,
    watches.map((w) => [
      w.id,
      w.name ?? '-',
      w.state,
      targetText(w),
      String(w.width),
      conditionText(w),
      intervalText(w),
      w.action ?? 'report',
      hostsText(w),
      String(w.counts.armed),
      String(w.counts.pending),
      String(w.counts.failed),
      w.created_at,
    ]),
  );
}

export function describeWatch(w: WatchDetailView): string {
  const c = w.counts;
  const fields: Array<[string, string]> = [
    ['Watch', w.name ? `${w.id} (${w.name})` : w.id],
    ['State', w.state],
    ['Created', w.created_at],
    ['Ended', w.ended_at ?? '-'],
    ['Target', `${targetText(w)}  width ${w.width}`],
    ['Condition', conditionText(w)],
    ['Interval', intervalText(w)],
    ['Mode', w.mode ?? 'timer'],
    ['Functions', w.funcs && w.funcs.length > 0 ? w.funcs.join(', ') : '-'],
    ['Rate', w.rate == null ? 'no limit' : `${w.rate} hits/s per host`],
    ['Action', `${w.action ?? 'report'}${w.kdump_on_hit ? ', then kdump on hit' : ''}`],
    ['Selects', 'ids' in w.hosts ? `hosts ${w.hosts.ids.join(', ')}` : `selector ${w.hosts.selector}`],
    ['Rollout', rolloutText(w)],
    ['Paused', w.rollout?.paused ? 'yes: placed hosts keep it, no host is added (physwatch watch resume ' + w.id + ')' : 'no'],
    ['Starts', w.starts_at ?? 'at once'],
    ['Expires', w.expires_at ?? '-'],
    ['Max hits', w.max_hits == null ? '-' : String(w.max_hits)],
    ['Max hits/host', w.max_hits_per_host == null ? '-' : String(w.max_hits_per_host)],
    ['Hosts', `armed ${c.armed}, pending ${c.pending}, failed ${c.failed}, disarmed ${c.disarmed}`],
  ];
  const label = Math.max(...fields.map(([k]) => k.length)) + 2;
  const head = fields.map(([k, v]) => `${(k + ':').padEnd(label)}${v}`).join('\n') + '\n';
  return w.assignments.length === 0 ? `${head}\n(no host assigned)\n` : `${head}\n${assignmentsTable('HOST', w.assignments.map((a) => [a.host_id, a] as const))}`;
}

function rolloutText(w: WatchView | WatchDetailView): string {
  const r = w.rollout ?? {};
  const parts = [r.canary ? `canary ${r.canary}, soak ${r.soak ?? '5m'}` : 'no canary', `${r.percent ?? 100}% of selected hosts`];
  if (r.max_hosts != null) parts.push(`at most ${r.max_hosts} hosts`);
  if (r.allow_wide_destructive) parts.push('wide destructive allowed');
  return parts.join(', ');
}

function targetText(w: WatchView | WatchDetailView): string {
  const target = targetJsonText(w.target);
  if ('sentinel' in w.target) return w.target.sentinel.pattern ? `${target} (pattern ${w.target.sentinel.pattern})` : target;
  return w.len !== undefined && w.len !== w.width ? `${target} (len ${w.len})` : target;
}

/** An ftrace-mode watch has no interval: it checks on function entry. */
function intervalText(w: WatchView | WatchDetailView): string {
  return w.interval ?? `on entry (${w.mode ?? 'ftrace'})`;
}

function conditionText(w: WatchView | WatchDetailView): string {
  if (w.condition === 'mask_equals') return `mask_equals ${w.value}/${w.mask}`;
  return w.value === undefined ? w.condition : `${w.condition} ${w.value}`;
}

export function hostsText(w: WatchView | WatchDetailView): string {
  const hosts = w.hosts;
  return 'ids' in hosts ? hosts.ids.join(',') : hosts.selector;
}
