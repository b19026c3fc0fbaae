/**
 * Which hits of a batch a host may have stored: each field storable (packages/core
 * agent-limits), under a boot the host announced, for a watch that is or was placed on it.
 * Every other hit is refused on its own, with a reason naming the field; the rest go on.
 */
import { bootIdProblems, describeProblems, hitProblems, Problems } from '@physwatch/core';
import type { HitBatch__Output, Hit__Output } from '@physwatch/proto';

/** Why: a field beyond what can be stored, a boot the host never announced, a watch never placed on it. */
export type RejectKind = 'invalid' | 'unknown_boot' | 'not_placed';

export interface Rejection {
  seq: string;
  watchId: string;
  kind: RejectKind;
  reason: string;
}

/** What the host's history says, read for the hits that passed the field checks. */
export interface HostHistory {
  bootAnnounced: boolean;
  /** Of the batch's watch ids, those ever placed on the host. */
  placed: ReadonlySet<string>;
}

export interface Screened {
  /** Hits whose fields can be stored, with their position in the batch. */
  storable: Array<{ index: number; hit: Hit__Output }>;
  rejected: Rejection[];
}

const SEQ = /^[1-9][0-9]{0,18}$/;
const I64_MAX = (1n << 63n) - 1n;

/** The field checks, which need no database. */
export function screenHits(batch: HitBatch__Output): Screened {
  const bootProblems: Problems = [];
  bootIdProblems(bootProblems, 'HitBatch.boot_id', batch.boot_id);
  const storable: Screened['storable'] = [];
  const rejected: Rejection[] = [];
  batch.hits.forEach((hit, index) => {
    const problems = [...bootProblems, ...hitProblems(hit, `hits[${index}]`)];
    if (problems.length === 0) storable.push({ index, hit });
    else rejected.push({ seq: hit.seq, watchId: hit.watch_id, kind: 'invalid', reason: describeProblems(problems) });
  });
  return { storable, rejected };
}

/** The history checks, on what screenHits let through. */
export function admitHits(hostId: string, batch: HitBatch__Output, screened: Screened, history: HostHistory): { admitted: Hit__Output[]; rejected: Rejection[] } {
  const admitted: Hit__Output[] = [];
  const rejected = [...screened.rejected];
  for (const { index, hit } of screened.storable) {
    if (!history.bootAnnounced) {
      rejected.push({ seq: hit.seq, watchId: hit.watch_id, kind: 'unknown_boot', reason: `HitBatch.boot_id: boot ${JSON.stringify(batch.boot_id)} was never announced by host ${hostId}` });
    } else if (!history.placed.has(hit.watch_id)) {
      rejected.push({ seq: hit.seq, watchId: hit.watch_id, kind: 'not_placed', reason: `hits[${index}].watch_id: watch ${hit.watch_id} was never placed on host ${hostId}` });
    } else {
      admitted.push(hit);
    }
  }
  return { admitted, rejected };
}

/**
 * What to ack: the highest seq of the batch that a seq can be (a refused hit's included, so
 * the agent's ack covers it too). A seq beyond bigint is named only in `rejected`: acking it
 * would tell the agent every later hit of the boot is stored.
 */
export function ackSeq(batch: HitBatch__Output): string {
  let max = 0n;
  for (const hit of batch.hits) {
    if (!SEQ.test(hit.seq)) continue;
    const seq = BigInt(hit.seq);
    if (seq <= I64_MAX && seq > max) max = seq;
  }
  return max.toString();
}
