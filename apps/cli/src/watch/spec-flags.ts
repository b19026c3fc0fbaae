/**
 * `watch create` flags -> the watch spec JSON (WatchSpecJson in packages/core), and back
 * from a spec field to the flag that sets it, so validation errors name what the user typed.
 * Values stay as typed (strings); packages/core does all the checking, in one place.
 */

/** commander's camelCase keys for the spec flags. */
export interface WatchSpecFlags {
  name?: string;
  paddr?: string;
  symbol?: string;
  pciBar?: string;
  sentinel?: string;
  pattern?: string;
  width?: string;
  len?: string;
  condition?: string;
  value?: string;
  mask?: string;
  interval?: string;
  mode?: string;
  funcs?: string;
  rate?: string;
  action?: string;
  hosts?: string;
  selector?: string;
  expiresAt?: string;
  maxHits?: string;
  startsAt?: string;
  maxHitsPerHost?: string;
  canary?: string;
  soak?: string;
  percent?: string;
  maxHosts?: string;
  /** Boolean switches: commander gives true when present. */
  paused?: boolean;
  allowWideDestructive?: boolean;
  kdumpOnHit?: boolean;
}

/** Every spec flag, keyed by its commander key: the flag and the spec field it sets. */
export const SPEC_FLAGS: Readonly<Record<keyof WatchSpecFlags, { flag: string; field: string }>> = {
  name: { flag: '--name', field: 'name' },
  paddr: { flag: '--paddr', field: 'target.paddr' },
  symbol: { flag: '--symbol', field: 'target.symbol' },
  pciBar: { flag: '--pci-bar', field: 'target.pci_bar' },
  sentinel: { flag: '--sentinel', field: 'target.sentinel.pages' },
  pattern: { flag: '--pattern', field: 'target.sentinel.pattern' },
  width: { flag: '--width', field: 'width' },
  len: { flag: '--len', field: 'len' },
  condition: { flag: '--condition', field: 'condition' },
  value: { flag: '--value', field: 'value' },
  mask: { flag: '--mask', field: 'mask' },
  interval: { flag: '--interval', field: 'interval' },
  mode: { flag: '--mode', field: 'mode' },
  funcs: { flag: '--funcs', field: 'funcs' },
  rate: { flag: '--rate', field: 'rate' },
  action: { flag: '--action', field: 'action' },
  hosts: { flag: '--hosts', field: 'hosts.ids' },
  selector: { flag: '--selector', field: 'hosts.selector' },
  expiresAt: { flag: '--expires-at', field: 'expires_at' },
  maxHits: { flag: '--max-hits', field: 'max_hits' },
  startsAt: { flag: '--starts-at', field: 'starts_at' },
  maxHitsPerHost: { flag: '--max-hits-per-host', field: 'max_hits_per_host' },
  canary: { flag: '--canary', field: 'rollout.canary' },
  soak: { flag: '--soak', field: 'rollout.soak' },
  percent: { flag: '--percent', field: 'rollout.percent' },
  maxHosts: { flag: '--max-hosts', field: 'rollout.max_hosts' },
  paused: { flag: '--paused', field: 'rollout.paused' },
  allowWideDestructive: { flag: '--allow-wide-destructive', field: 'rollout.allow_wide_destructive' },
  kdumpOnHit: { flag: '--kdump-on-hit', field: 'kdump_on_hit' },
};

/** Fields that more than one flag can set, or that no single flag owns. */
const GROUP_FIELDS: Record<string, string> = {
  target: '--paddr, --symbol, --pci-bar or --sentinel',
  'target.sentinel': '--sentinel',
  'target.pci_bar.device': '--pci-bar',
  'target.pci_bar.bar': '--pci-bar',
  'target.pci_bar.offset': '--pci-bar',
  hosts: '--hosts or --selector',
  '(body)': 'the watch flags',
  rollout: '--canary, --soak, --percent, --max-hosts, --paused or --allow-wide-destructive',
};

/** "target.paddr" -> "--paddr"; "hosts.ids[3]" -> "--hosts"; an unknown field is named as is. */
export function flagForField(field: string): string {
  const base = field.replace(/\[\d+\]$/, '');
  if (GROUP_FIELDS[base]) return GROUP_FIELDS[base];
  const entry = Object.values(SPEC_FLAGS).find((f) => f.field === base);
  return entry ? entry.flag : field;
}

/** The spec flags that were given, as their flag names (for "cannot combine with -f"). */
export function givenSpecFlags(flags: WatchSpecFlags): string[] {
  return (Object.keys(SPEC_FLAGS) as (keyof WatchSpecFlags)[]).filter((k) => flags[k] !== undefined).map((k) => SPEC_FLAGS[k].flag);
}

export function specFromFlags(flags: WatchSpecFlags): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (flags.name !== undefined) spec.name = flags.name;
  const sentinel = flags.sentinel !== undefined || flags.pattern !== undefined;
  if (flags.paddr !== undefined || flags.symbol !== undefined || flags.pciBar !== undefined || sentinel) {
    spec.target = {
      ...(flags.paddr !== undefined && { paddr: flags.paddr }),
      ...(flags.symbol !== undefined && { symbol: flags.symbol }),
      ...(flags.pciBar !== undefined && { pci_bar: pciBarFromFlag(flags.pciBar) }),
      // --pattern alone still makes a sentinel target, so core names the missing --sentinel.
      ...(sentinel && {
        sentinel: { ...(flags.sentinel !== undefined && { pages: wholeNumberOrText(flags.sentinel) }), ...(flags.pattern !== undefined && { pattern: flags.pattern }) },
      }),
    };
  }
  if (flags.width !== undefined) spec.width = wholeNumberOrText(flags.width);
  if (flags.len !== undefined) spec.len = wholeNumberOrText(flags.len);
  if (flags.condition !== undefined) spec.condition = flags.condition;
  if (flags.value !== undefined) spec.value = flags.value;
  if (flags.mask !== undefined) spec.mask = flags.mask;
  if (flags.interval !== undefined) spec.interval = flags.interval;
  if (flags.mode !== undefined) spec.mode = flags.mode;
  if (flags.funcs !== undefined) spec.funcs = flags.funcs.split(',').map((f) => f.trim());
  if (flags.rate !== undefined) spec.rate = wholeNumberOrText(flags.rate);
  if (flags.action !== undefined) spec.action = flags.action;
  if (flags.hosts !== undefined || flags.selector !== undefined) {
    spec.hosts = {
      ...(flags.hosts !== undefined && { ids: flags.hosts.split(',').map((id) => id.trim()) }),
      ...(flags.selector !== undefined && { selector: flags.selector }),
    };
  }
  if (flags.expiresAt !== undefined) spec.expires_at = flags.expiresAt;
  if (flags.maxHits !== undefined) spec.max_hits = wholeNumberOrText(flags.maxHits);
  if (flags.startsAt !== undefined) spec.starts_at = flags.startsAt;
  if (flags.maxHitsPerHost !== undefined) spec.max_hits_per_host = wholeNumberOrText(flags.maxHitsPerHost);
  if (flags.kdumpOnHit) spec.kdump_on_hit = true;
  const rollout: Record<string, unknown> = {};
  if (flags.canary !== undefined) rollout.canary = wholeNumberOrText(flags.canary);
  if (flags.soak !== undefined) rollout.soak = flags.soak;
  if (flags.percent !== undefined) rollout.percent = wholeNumberOrText(flags.percent);
  if (flags.maxHosts !== undefined) rollout.max_hosts = wholeNumberOrText(flags.maxHosts);
  if (flags.paused) rollout.paused = true;
  if (flags.allowWideDestructive) rollout.allow_wide_destructive = true;
  if (Object.keys(rollout).length > 0) spec.rollout = rollout;
  return spec;
}

/**
 * "0000:00:04.0/2+0x20" (the module's bar= syntax) -> the spec's { device, bar, offset }.
 * Split only: a part that is not right is passed on for core to name.
 */
function pciBarFromFlag(text: string): Record<string, unknown> {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return { device: text };
  const rest = text.slice(slash + 1);
  const plus = rest.indexOf('+');
  const bar = plus < 0 ? rest : rest.slice(0, plus);
  return { device: text.slice(0, slash), bar: wholeNumberOrText(bar), ...(plus >= 0 && { offset: rest.slice(plus + 1) }) };
}

/** "4" -> 4; anything else stays text so core's message quotes what was typed. */
function wholeNumberOrText(text: string): number | string {
  return /^\s*[0-9]+\s*$/.test(text) ? Number(text) : text;
}
