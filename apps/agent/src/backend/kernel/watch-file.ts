/**
 * The full specs the agent armed, kept next to the spool: /proc/physwatch holds every
 * field but max_hits, so after a restart this file supplies it (and nothing else).
 */
import * as fs from 'node:fs';
import { ArmSpec, parseU64, WatchTarget } from '@physwatch/core';

type Json = Record<string, unknown>;

function toJson(spec: ArmSpec): Json {
  return JSON.parse(JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))) as Json;
}

function fromJson(json: Json): ArmSpec | null {
  const t = json.target as Json | undefined;
  const value = parseU64(json.value);
  const mask = parseU64(json.mask);
  if (!t || value === null || mask === null) return null;
  let target: WatchTarget;
  if (t.kind === 'paddr') {
    const paddr = parseU64(t.paddr);
    if (paddr === null) return null;
    target = { kind: 'paddr', paddr };
  } else if (t.kind === 'sentinel') {
    const pattern = parseU64(t.pattern);
    if (pattern === null || typeof t.pages !== 'number') return null;
    target = { kind: 'sentinel', pages: t.pages, pattern };
  } else if (t.kind === 'pci_bar') {
    const offset = parseU64(t.offset);
    if (offset === null || typeof t.device !== 'string' || typeof t.bar !== 'number') return null;
    target = { kind: 'pci_bar', device: t.device, bar: t.bar, offset };
  } else {
    const offset = parseU64(t.offset);
    if (offset === null || typeof t.name !== 'string') return null;
    target = { kind: 'symbol', name: t.name, offset };
  }
  // Spread first, so the keys keep the order the reconciler compares specs in. A file from
  // before mode, funcs and rate holds timer watches with no rate.
  const spec = { ...(json as unknown as ArmSpec), target, value, mask };
  spec.mode ??= 'timer';
  spec.funcs ??= [];
  spec.rate ??= null;
  return spec;
}

export function readWatchFile(file: string): Map<string, ArmSpec> {
  const specs = new Map<string, ArmSpec>();
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Json>;
    for (const [id, json] of Object.entries(data)) {
      const spec = fromJson(json);
      if (spec) specs.set(id, spec);
    }
  } catch {
    // Missing or damaged: the module's own status is still the truth; max_hits is re-sent.
  }
  return specs;
}

export function writeWatchFile(file: string, specs: Map<string, ArmSpec>): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries([...specs].map(([id, s]) => [id, toJson(s)]))));
  fs.renameSync(tmp, file);
}
