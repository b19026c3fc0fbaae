import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#9333ea', '#ea580c'];

export interface Series {
  key: string;
  label: string;
}

/** Hits per time bucket, one stacked bar colour per series (a watch, or one watch alone). */
export function HitChart({
  buckets,
  series,
  bucketSeconds,
  since,
  until,
}: {
  buckets: Array<{ t: string; key: string; hits: number }>;
  series: Series[];
  bucketSeconds: number;
  since: string;
  until: string;
}) {
  // Every bucket of the range gets a bar slot, so quiet periods read as zero, not as a gap.
  const step = bucketSeconds * 1000;
  const start = Math.floor(new Date(since).getTime() / step) * step;
  const rows = new Map<number, Record<string, number>>();
  for (let t = start; t < new Date(until).getTime(); t += step) rows.set(t, { t });
  for (const b of buckets) {
    const t = new Date(b.t).getTime();
    const row = rows.get(t) ?? { t };
    row[b.key] = (row[b.key] ?? 0) + b.hits;
    rows.set(t, row);
  }
  const data = [...rows.values()].sort((a, b) => a.t - b.t);
  const label = (t: number) => {
    const iso = new Date(t).toISOString();
    return bucketSeconds >= 86400 ? iso.slice(5, 10) : iso.slice(bucketSeconds >= 3600 ? 5 : 11, 16).replace('T', ' ');
  };
  return (
    <div className="chart" data-testid="hit-chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" tickFormatter={label} minTickGap={24} fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={48} />
          <Tooltip cursor={{ fill: 'rgba(37, 99, 235, 0.06)' }} labelFormatter={(t) => new Date(Number(t)).toISOString().replace('T', ' ').slice(0, 16) + 'Z'} />
          <Legend />
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="hits" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
