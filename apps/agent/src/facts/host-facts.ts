/**
 * Facts a corruption hunt correlates hits by (which BIOS, which microcode, which NIC
 * firmware, is kdump armed), read from sysfs/procfs under `root` so a test can point it
 * at a copy, and turned into labels the orchestrator's selectors can match.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_LIMITS } from '@physwatch/core';

const DMI: Record<string, string> = {
  'dmi.bios.vendor': 'bios_vendor',
  'dmi.bios.version': 'bios_version',
  'dmi.bios.date': 'bios_date',
  'dmi.system.vendor': 'sys_vendor',
  'dmi.system.product': 'product_name',
  'dmi.board.vendor': 'board_vendor',
  'dmi.board.name': 'board_name',
};
const MAX_VALUE = 63;

/** Label values may hold no spaces, commas, parentheses, "=" or "!" (the selector syntax). */
export function labelValue(text: string): string {
  return text.trim().replace(/[\s,()=!]+/g, '_').slice(0, MAX_VALUE);
}

function read(root: string, file: string): string | null {
  try {
    const text = fs.readFileSync(path.join(root, file), 'utf8').trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

function cpuFacts(cpuinfo: string | null): Record<string, string> {
  const first = (key: string) => new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm').exec(cpuinfo ?? '')?.[1] ?? null;
  const out: Record<string, string> = {};
  const model = first('model name') ?? first('Hardware') ?? first('CPU part');
  const microcode = first('microcode');
  if (model) out['cpu.model'] = model;
  if (microcode) out['cpu.microcode'] = microcode;
  return out;
}

function ethtoolFirmware(iface: string): string | null {
  try {
    const out = execFileSync('ethtool', ['-i', iface], { timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const fw = /^firmware-version:\s*(.*)$/m.exec(out)?.[1]?.trim();
    return fw && fw !== 'N/A' ? fw : null;
  } catch {
    return null;
  }
}

function nicFacts(root: string, ethtool: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  let ifaces: string[] = [];
  try {
    ifaces = fs.readdirSync(path.join(root, 'sys/class/net')).sort();
  } catch {
    return out;
  }
  for (const iface of ifaces) {
    let driver: string;
    try {
      driver = path.basename(fs.readlinkSync(path.join(root, 'sys/class/net', iface, 'device/driver')));
    } catch {
      continue; // virtual interfaces (lo, bridges, veth) have no device
    }
    const key = iface.replace(/[^A-Za-z0-9._-]/g, '_');
    out[`nic.${key}.driver`] = driver;
    const fw = ethtool ? ethtoolFirmware(iface) : null;
    if (fw) out[`nic.${key}.firmware`] = fw;
  }
  return out;
}

export interface FactOptions {
  root: string;
  /** Ask `ethtool -i` for firmware versions; only meaningful on the live root. */
  ethtool: boolean;
}

/** Every fact it can read; a missing file is a missing label, never an error. */
export function readHostFacts({ root, ethtool }: FactOptions): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [label, file] of Object.entries(DMI)) {
    const value = read(root, `sys/class/dmi/id/${file}`);
    if (value) raw[label] = value;
  }
  Object.assign(raw, cpuFacts(read(root, 'proc/cpuinfo')));
  const release = read(root, 'proc/sys/kernel/osrelease');
  if (release) raw['kernel.release'] = release;
  Object.assign(raw, nicFacts(root, ethtool));
  const crash = read(root, 'sys/kernel/kexec_crash_loaded');
  if (crash !== null) raw['kdump.crash_kernel_loaded'] = crash === '1' ? 'true' : 'false';
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const clean = labelValue(value);
    if (clean !== '') labels[key] = clean;
  }
  return labels;
}

/**
 * Configured labels win over facts: an operator's override is deliberate. Facts beyond what
 * the orchestrator accepts in a Hello (AGENT_LIMITS.labels) are left out, in key order,
 * rather than have the whole Hello refused.
 */
export function mergeLabels(facts: Record<string, string>, configured: Readonly<Record<string, string>>): Record<string, string> {
  const room = AGENT_LIMITS.labels - Object.keys(configured).length;
  const kept = Object.keys(facts)
    .filter((key) => !(key in configured))
    .sort()
    .slice(0, Math.max(0, room));
  return { ...Object.fromEntries(kept.map((key) => [key, facts[key]])), ...configured };
}
