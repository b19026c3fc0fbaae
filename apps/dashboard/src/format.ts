/** Times in UTC, like the API and the agents' logs, so screenshots and logs line up. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`;
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: string | number): string {
  const v = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) ((x /= 1024), i++);
  return `${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function watchTitle(w: { id: string; name?: string | null }): string {
  return w.name ? `${w.name} (#${w.id})` : `watch #${w.id}`;
}

export function targetText(
  t: { paddr: string } | { symbol: string } | { pci_bar: { device: string; bar: number; offset?: string } } | { sentinel: { pages: number; pattern?: string } },
): string {
  // Each host's sentinel pages are its own, so there is no address to show.
  if ('sentinel' in t) return `sentinel ${t.sentinel.pages} ${t.sentinel.pages === 1 ? 'page' : 'pages'}${t.sentinel.pattern ? ` of ${t.sentinel.pattern}` : ''}`;
  if ('pci_bar' in t) return `${t.pci_bar.device}/${t.pci_bar.bar}${t.pci_bar.offset && !/^0x0*$/.test(t.pci_bar.offset) ? `+${t.pci_bar.offset}` : ''}`;
  return 'paddr' in t ? t.paddr : t.symbol;
}

const NS_UNITS: ReadonlyArray<[string, number]> = [
  ['s', 1e9],
  ['ms', 1e6],
  ['µs', 1e3],
];

/** A span in ns (a decimal string, as the API sends it), three significant digits: "29.8 ms". */
export function formatNs(ns: string): string {
  const v = Number(ns);
  for (const [unit, scale] of NS_UNITS) if (v >= scale) return `${Number((v / scale).toPrecision(3))} ${unit}`;
  return `${v} ns`;
}
