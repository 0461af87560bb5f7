import { scaleLog } from 'd3-scale';

interface Props {
  title: string;
  bars: readonly { label: string; value: number }[];
  format: (v: number) => string;
  color: string;
}

const W = 640;
const M = { top: 8, right: 72, bottom: 28, left: 150 };
const BAR = 18;
const GAP = 10;

/** Horizontal bars on a log scale: counts that span several orders of magnitude stay readable. */
export function LogBars({ title, bars, format, color }: Props) {
  const positive = bars.map((b) => b.value).filter((v) => v > 0);
  const lo = Math.max(1, Math.min(...positive, 1e3) / 2);
  const hi = Math.max(lo * 10, ...positive);
  const x = scaleLog().domain([lo, hi]).nice().range([M.left, W - M.right]);
  const height = M.top + bars.length * (BAR + GAP) + M.bottom;
  const ticks = x.ticks(6).filter((t) => Number.isInteger(Math.log10(t)));
  return (
    <figure className="not-prose">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title} className="h-auto w-full text-slate-500 dark:text-slate-400">
        {ticks.map((t) => (
          <g key={t} transform={`translate(${x(t)},0)`}>
            <line y1={M.top} y2={height - M.bottom} stroke="currentColor" strokeOpacity={0.15} />
            <text y={height - M.bottom + 16} textAnchor="middle" fontSize={11} fill="currentColor">
              {format(t)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const y = M.top + i * (BAR + GAP);
          const end = b.value > 0 ? x(Math.max(b.value, lo)) : M.left;
          return (
            <g key={b.label}>
              <text x={M.left - 8} y={y + BAR / 2} dy="0.32em" textAnchor="end" fontSize={12} fill="currentColor">
                {b.label}
              </text>
              <rect x={M.left} y={y} width={Math.max(0, end - M.left)} height={BAR} fill={color} />
              <text x={end + 4} y={y + BAR / 2} dy="0.32em" fontSize={11} fill="currentColor">
                {format(b.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
