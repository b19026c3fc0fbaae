import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNs, formatNumber } from '../format';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#9333ea', '#ea580c'];

/** More lines than this stop reading as a picture; the rest is summarised under the chart. */
export const MAX_BRACKET_SERIES = 8;

export interface BracketPoint {
  host: string;
  stage: number;
  /** occurred_at, ms since the epoch. */
  t: number;
  /** bracket_ns (ns, > 0). */
  ns: number;
}

export interface BracketSeries {
  host: string;
  points: BracketPoint[];
}

/**
 * The picture of a hunt closing in: each hit's bracket width over time, one line per host, on a
 * log scale (30 ms → 100 µs is a factor of 300). `series` come ranked; the first
 * MAX_BRACKET_SERIES are drawn, the others summarised.
 */
export function BracketChart({ series }: { series: BracketSeries[] }) {
  const shown = series.slice(0, MAX_BRACKET_SERIES);
  const rest = series.slice(MAX_BRACKET_SERIES);
  const restPoints = rest.flatMap((s) => s.points);
  const drawn = shown.flatMap((s) => s.points);
  const ts = drawn.map((p) => p.t);
  // A long hunt's axis needs the date; a short one the seconds.
  const long = ts.length > 0 && Math.max(...ts) - Math.min(...ts) > 86_400_000;
  const time = (t: number) => (long ? new Date(t).toISOString().slice(5, 16).replace('T', ' ') : new Date(t).toISOString().slice(11, 19));
  // Half a decade of room either side, so the widest and narrowest brackets are not drawn on the frame.
  const ns = drawn.map((p) => p.ns);
  const domain: [number, number] = ns.length ? [Math.min(...ns) / 2, Math.max(...ns) * 2] : [1, 1e9];
  return (
    <div className="chart" data-testid="bracket-chart">
      <ResponsiveContainer width="100%" height={300}>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="t" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={time} minTickGap={32} fontSize={12} name="time" />
          <YAxis type="number" dataKey="ns" scale="log" domain={domain} tickFormatter={(v: number) => formatNs(String(v))} fontSize={12} width={64} name="bracket" allowDataOverflow />
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            formatter={(value, name) => (name === 'bracket' ? formatNs(String(value)) : name === 'time' ? `${new Date(Number(value)).toISOString().replace('T', ' ').slice(0, 23)}Z` : String(value))}
          />
          <Legend />
          {shown.map((s, i) => (
            <Scatter
              key={s.host}
              name={s.host}
              data={s.points}
              fill={COLORS[i % COLORS.length]}
              line={{ stroke: COLORS[i % COLORS.length], strokeWidth: 1.5 }}
              className={`bracket-series series-${i}`}
              isAnimationActive={false}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
      {rest.length > 0 && (
        <p className="muted" data-testid="bracket-chart-rest">
          and {rest.length} more host{rest.length === 1 ? '' : 's'} with {formatNumber(restPoints.length)} bracketed hit{restPoints.length === 1 ? '' : 's'}, from{' '}
          {formatNs(String(Math.min(...restPoints.map((p) => p.ns))))} to {formatNs(String(Math.max(...restPoints.map((p) => p.ns))))}
        </p>
      )}
    </div>
  );
}
