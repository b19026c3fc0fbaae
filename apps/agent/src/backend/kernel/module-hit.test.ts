import { parseModuleEvent } from '@physwatch/core';
import type { ModuleHitEvent } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { toWireHit } from '../../relay/wire';
import { moduleHitToBackendHit } from './module-hit';

// The module's line layout (packages/watch-module/README.md), with and without last_old_ns=.
const OLD_LINE =
  'hit seq=3 id=9 realtime_ns=1795695924997578860 boottime_ns=32038470447 cpu=1 paddr=0x20000100 offset=0x4 width=4 old=0x0 new=0xdeadbeef pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=report';
const NEW_LINE = `${OLD_LINE} last_old_ns=32008670447`;

function hitEvent(line: string): ModuleHitEvent {
  const event = parseModuleEvent(line);
  if (event?.kind !== 'hit') throw new Error(`not a hit line: ${line}`);
  return event;
}

describe('module hit -> backend hit', () => {
  it('carries the bracket: last_old_ns= is the last check that saw the old value, on boottime_ns\'s clock', () => {
    const hit = moduleHitToBackendHit(hitEvent(NEW_LINE));
    expect(hit).toMatchObject({ watchId: '9', moduleSeq: 3n, boottimeNs: 32038470447n, lastOldBoottimeNs: 32008670447n, offset: 4, newValue: 0xdeadbeefn });
    expect(toWireHit(hit)).toMatchObject({ boottime_ns: '32038470447', last_old_boottime_ns: '32008670447', module_seq: '3' });
  });

  it('a line of an older module has no bracket: null, sent as proto3\'s 0', () => {
    const hit = moduleHitToBackendHit(hitEvent(OLD_LINE));
    expect(hit.lastOldBoottimeNs).toBeNull();
    expect(toWireHit(hit).last_old_boottime_ns).toBe('0');
  });

  it('carries who wrote, the SMIs in the bracket and the writer\'s stack', () => {
    const hit = moduleHitToBackendHit(hitEvent(`${NEW_LINE} writer=cpu smi=0 stack=memset+0x10/0x40,pw_store+0x8/0x20[pw_mod]`));
    expect(hit).toMatchObject({ writer: 'cpu', writerReason: null, smiCount: 0n, stack: ['memset+0x10/0x40', 'pw_store+0x8/0x20[pw_mod]'] });
    expect(moduleHitToBackendHit(hitEvent(`${NEW_LINE} writer=unknown writer_why=region_too_wide smi=-`))).toMatchObject({ writer: 'unknown', writerReason: 'region_too_wide', smiCount: null, stack: [] });
  });

  it('a line of a module that does not say who wrote: writer, reason and SMIs null, no stack', () => {
    expect(moduleHitToBackendHit(hitEvent(NEW_LINE))).toMatchObject({ writer: null, writerReason: null, smiCount: null, stack: [] });
  });
});
