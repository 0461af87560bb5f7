import { scaleLinear } from 'd3-scale';

export interface StackSegment {
  key: string;
  label: string;
  color: string;
}

export interface StackedBar {
  label: string;
  values: Record<string, number>;
}

interface Props {
  title: string;
  segments: readonly StackSegment[];
  bars: readonly StackedBar[];
  /** Formats an axis tick or a total, e.g. bytes as GB. */
  format: (v: number) => string;
  /** Optional vertical reference lines, e.g. GPU memory sizes. */
  markers?: readonly { value: number; label: string }[];
}

const W = 640;
const M = { top: 8, right: 16, bottom: 28, left: 150 };
const BAR = 26;
const GAP = 14;

/** Horizontal stacked bars: d3 computes the scale, React draws the SVG. */
export function StackedBars({ title, segments, bars, format, markers = [] }: Props) {
  const totals = bars.map((b) => segments.reduce((sum, s) => sum + (b.values[s.key] ?? 0), 0));
  const maxValue = Math.max(1, ...totals, ...markers.map((m) => m.value));
  // Headroom on the right for the total printed after the longest bar.
  const x = scaleLinear().domain([0, maxValue * 1.12]).nice().range([M.left, W - M.right]);
  const height = M.top + bars.length * (BAR + GAP) + M.bottom;

  return (
    <figure className="not-prose">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title} className="h-auto w-full text-slate-500 dark:text-slate-400">
        {x.ticks(5).map((t) => (
          <g key={t} transform={`translate(${x(t)},0)`}>
            <line y1={M.top} y2={height - M.bottom} stroke="currentColor" strokeOpacity={0.15} />
            <text y={height - M.bottom + 16} textAnchor="middle" fontSize={11} fill="currentColor">
              {format(t)}
            </text>
          </g>
        ))}
        {bars.map((bar, i) => {
          const y = M.top + i * (BAR + GAP);
          let start = 0;
          return (
            <g key={bar.label}>
              <text x={M.left - 8} y={y + BAR / 2} dy="0.32em" textAnchor="end" fontSize={12} fill="currentColor">
                {bar.label}
              </text>
              {segments.map((s) => {
                const v = bar.values[s.key] ?? 0;
                const rect = <rect key={s.key} x={x(start)} y={y} width={Math.max(0, x(start + v) - x(start))} height={BAR} fill={s.color} />;
                start += v;
                return rect;
              })}
              <text x={x(totals[i] ?? 0) + 4} y={y + BAR / 2} dy="0.32em" fontSize={11} fill="currentColor">
                {format(totals[i] ?? 0)}
              </text>
            </g>
          );
        })}
        {markers.map((m) => (
          <g key={m.label} transform={`translate(${x(m.value)},0)`}>
            <line y1={M.top - 4} y2={height - M.bottom} stroke="currentColor" strokeDasharray="3 3" />
          </g>
        ))}
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
        {segments.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1">
            <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
        {markers.length > 0 && <span>dashed lines: {markers.map((m) => m.label).join(', ')}</span>}
      </figcaption>
    </figure>
  );
}
