import { cohortKey, huntSpecToJson, median } from '@physwatch/core';
import type { HuntDetailView, HuntHostView, HuntSpec, HuntStageJson, HuntView } from '@physwatch/core';
import type { HuntHitStats, HuntHostRow, HuntRow, HuntStageWatch, HuntTimelineRow } from '@physwatch/db';

/** The REST shapes of docs/contracts.md "Hunts" (declared in packages/core/src/api/hunt.ts). */
export function huntJson(row: HuntRow, hosts: readonly HuntHostRow[]): HuntView {
  const stages = (row.spec as { stages?: unknown[] }).stages?.length ?? 0;
  const counts = Array.from({ length: stages }, () => 0);
  for (const h of hosts) if (h.stage < stages) counts[h.stage]++;
  return {
    id: row.id,
    state: row.state,
    held_stage: row.heldStage,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    ended_at: row.endedAt ? row.endedAt.toISOString() : null,
    spec: row.spec as unknown as HuntView['spec'],
    stage_counts: counts,
  };
}

export function huntDetailJson(
  row: HuntRow,
  spec: HuntSpec,
  hosts: readonly HuntHostRow[],
  watches: readonly HuntStageWatch[],
  timeline: readonly HuntTimelineRow[],
  stats: readonly HuntHitStats[],
  history: ReadonlyArray<{ watchId: string; stage: number }>,
): HuntDetailView {
  const json = huntSpecToJson(spec);
  const stat = new Map(stats.map((s) => [`${s.hostId}/${s.stage}`, s]));
  const hostViews: HuntHostView[] = hosts.map((h) => {
    const here = stat.get(`${h.hostId}/${h.stage}`);
    return {
      host_id: h.hostId,
      stage: h.stage,
      held: h.held,
      entered_at: h.enteredAt.toISOString(),
      hits_at_stage: here?.count ?? 0,
      bracket_median_ns: here ? median(here.brackets) : null,
      poll_ns_avg: h.pollNsAvg,
      cohort: cohortKey(spec.cohort, h.labels),
    };
  });
  return {
    ...huntJson(row, hosts),
    spec: json,
    cohort: spec.cohort,
    stages: spec.stages.map((_, index) => ({
      index,
      spec: json.stages![index] as HuntStageJson,
      watch_id: watches.find((w) => w.stage === index)?.watchId ?? null,
      watch_ids: history.filter((w) => w.stage === index).map((w) => w.watchId),
      hosts: hosts.filter((h) => h.stage === index).map((h) => h.hostId),
    })),
    hosts: hostViews,
    timeline: timeline.map((t) => ({
      at: t.at.toISOString(),
      kind: t.kind,
      host_id: t.hostId,
      from_stage: t.fromStage,
      to_stage: t.toStage,
      reason: t.reason,
      actor: t.actor,
    })),
  };
}
