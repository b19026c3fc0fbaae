/**
 * The module's hit lines from a crashed kernel's dmesg, as wire hits: a hit that panicked
 * the host was never read by the agent, and this copy is the only one there is. seq 0 (the
 * agent never numbered it); module_seq and the crashed boot identify it, so a hit that did
 * go out live and is recovered again is stored once.
 */
import { parseModuleEvent } from '@physwatch/core';
import type { Hit } from '@physwatch/proto';
import { isOrchestratorWatch, moduleHitToBackendHit } from '../backend/kernel/module-hit';
import { toWireHit } from '../relay/wire';

export function recoverHits(dmesg: string): Hit[] {
  const hits: Hit[] = [];
  for (const line of dmesg.split('\n')) {
    const event = parseModuleEvent(line);
    if (event?.kind === 'hit' && isOrchestratorWatch(event.id)) hits.push({ ...toWireHit(moduleHitToBackendHit(event)), seq: '0' });
  }
  return hits;
}
