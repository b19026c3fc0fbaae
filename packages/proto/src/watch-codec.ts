/** The one translation between the domain's ArmSpec and the wire's WatchSpec. */
import { ACTIONS, ArmSpec, CONDITIONS, isFuncName, MAX_FUNCS, MAX_PCI_BAR, MAX_SENTINEL_PAGES, parsePciDevice, parseU64, WATCH_MODES, Width } from '@physwatch/core';
import type { Action as WireAction } from './generated/physwatch/v1/Action';
import type { Condition as WireCondition } from './generated/physwatch/v1/Condition';
import type { WatchMode as WireMode } from './generated/physwatch/v1/WatchMode';
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

export function toWireMode(mode: ArmSpec['mode']): WireMode {
  return `WATCH_MODE_${mode.toUpperCase()}` as WireMode;
}

/** UNSPECIFIED is how an older orchestrator's spec arrives: a timer watch. */
export function fromWireMode(mode: string): ArmSpec['mode'] {
  if (mode === 'WATCH_MODE_UNSPECIFIED') return 'timer';
  const found = WATCH_MODES.find((m) => toWireMode(m) === mode);
  if (!found) throw new Error(`unknown watch mode ${mode} on the wire`);
  return found;
}

function toWireTarget(target: ArmSpec['target']): Pick<WatchSpec, 'paddr' | 'symbol' | 'pci_bar' | 'sentinel'> {
  if (target.kind === 'paddr') return { paddr: target.paddr.toString() };
  if (target.kind === 'sentinel') return { sentinel: { pages: target.pages, pattern: target.pattern.toString() } };
  if (target.kind === 'pci_bar') return { pci_bar: { device: target.device, bar: target.bar, offset: target.offset.toString() } };
  return { symbol: { name: target.name, offset: target.offset.toString() } };
}

export function toWireWatch(spec: ArmSpec): WatchSpec {
  const target = toWireTarget(spec.target);
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
    mode: toWireMode(spec.mode),
    funcs: spec.funcs,
    rate: spec.rate ?? 0,
  };
}

function u64(field: string, text: string): bigint {
  const value = parseU64(text);
  if (value === null) throw new Error(`${field} "${text}" is not a u64 on the wire`);
  return value;
}

// The device and the function names go into the module's command line as they are: one
// with a space or '=' would be read as more keys, so they are checked as the REST API does.
function pciDevice(device: string): string {
  if (parsePciDevice(device) !== device) throw new Error(`pci_bar.device ${JSON.stringify(device.slice(0, 40))} is not a canonical PCI device`);
  return device;
}

function pciBar(bar: number): number {
  if (!Number.isInteger(bar) || bar < 0 || bar > MAX_PCI_BAR) throw new Error(`pci_bar.bar ${bar} is not 0..${MAX_PCI_BAR}`);
  return bar;
}

function sentinelPages(pages: number): number {
  if (!Number.isInteger(pages) || pages < 1 || pages > MAX_SENTINEL_PAGES) throw new Error(`sentinel.pages ${pages} is not 1..${MAX_SENTINEL_PAGES}`);
  return pages;
}

function funcs(names: string[]): string[] {
  if (names.length > MAX_FUNCS) throw new Error(`${names.length} funcs on the wire (at most ${MAX_FUNCS})`);
  const bad = names.find((name) => !isFuncName(name));
  if (bad !== undefined) throw new Error(`funcs entry ${JSON.stringify(bad.slice(0, 40))} is not a kernel function name`);
  return [...names];
}

export function fromWireWatch(wire: WatchSpec__Output): ArmSpec {
  let target: ArmSpec['target'];
  if (wire.target === 'paddr') target = { kind: 'paddr', paddr: u64('paddr', wire.paddr!) };
  else if (wire.target === 'symbol' && wire.symbol) target = { kind: 'symbol', name: wire.symbol.name, offset: u64('symbol.offset', wire.symbol.offset) };
  else if (wire.target === 'pci_bar' && wire.pci_bar) target = { kind: 'pci_bar', device: pciDevice(wire.pci_bar.device), bar: pciBar(wire.pci_bar.bar), offset: u64('pci_bar.offset', wire.pci_bar.offset) };
  else if (wire.target === 'sentinel' && wire.sentinel) target = { kind: 'sentinel', pages: sentinelPages(wire.sentinel.pages), pattern: u64('sentinel.pattern', wire.sentinel.pattern) };
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
    mode: fromWireMode(wire.mode),
    funcs: funcs(wire.funcs),
    rate: wire.rate === 0 ? null : wire.rate,
    action: fromWireAction(wire.action),
    maxHits: wire.max_hits === 0 ? null : wire.max_hits,
  };
}
