/** The one translation between the domain's ArmSpec and the wire's WatchSpec. */
import { ACTIONS, ArmSpec, CONDITIONS, parseU64, Width } from '@physwatch/core';
import type { Action as WireAction } from './generated/physwatch/v1/Action';
import type { Condition as WireCondition } from './generated/physwatch/v1/Condition';
import type { WatchSpec, WatchSpec__Output } from './generated/physwatch/v1/WatchSpec';

export function toWireAction(action: ArmSpec['action']): WireAction {
  return `ACTION_${action.toUpperCase()}` as WireAction;
}

export function fromWireAction(action: string): ArmSpec['action'] {
  const found = ACTIONS.find((a) => toWireAction(a) === action);
  if (!found) throw new Error(`unknown action ${action} on the wire`);
  return found;
}

function toWireCondition(condition: ArmSpec['condition']): WireCondition {
  return `CONDITION_${condition.toUpperCase()}` as WireCondition;
}

function fromWireCondition(condition: string): ArmSpec['condition'] {
  const found = CONDITIONS.find((c) => toWireCondition(c) === condition);
  if (!found) throw new Error(`unknown condition ${condition} on the wire`);
  return found;
}

export function toWireWatch(spec: ArmSpec): WatchSpec {
  const target =
    spec.target.kind === 'paddr'
      ? { paddr: spec.target.paddr.toString() }
      : { symbol: { name: spec.target.name, offset: spec.target.offset.toString() } };
  return {
    watch_id: spec.watchId,
    ...target,
    width: spec.width,
    len: spec.len,
    condition: toWireCondition(spec.condition),
    value: spec.value.toString(),
    mask: spec.mask.toString(),
    interval_us: String(spec.intervalUs),
    action: toWireAction(spec.action),
    max_hits: spec.maxHits ?? 0,
  };
}

function u64(field: string, text: string): bigint {
  const value = parseU64(text);
  if (value === null) throw new Error(`${field} "${text}" is not a u64 on the wire`);
  return value;
}

export function fromWireWatch(wire: WatchSpec__Output): ArmSpec {
  let target: ArmSpec['target'];
  if (wire.target === 'paddr') target = { kind: 'paddr', paddr: u64('paddr', wire.paddr!) };
  else if (wire.target === 'symbol' && wire.symbol) target = { kind: 'symbol', name: wire.symbol.name, offset: u64('symbol.offset', wire.symbol.offset) };
  else throw new Error(`watch ${wire.watch_id} has no target on the wire`);
  return {
    watchId: wire.watch_id,
    target,
    width: wire.width as Width,
    len: wire.len,
    condition: fromWireCondition(wire.condition),
    value: u64('value', wire.value),
    mask: u64('mask', wire.mask),
    intervalUs: Number(wire.interval_us),
    action: fromWireAction(wire.action),
    maxHits: wire.max_hits === 0 ? null : wire.max_hits,
  };
}
