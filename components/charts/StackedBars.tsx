import { scaleLinear } from 'd3-scale';
import { LABEL_SIZE, pct } from './axis';
import { BarGrid } from './BarGrid';

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

/** One row: the label and the total on a line, the bar below them (px). */
const LABEL_LINE = 18;
const BAR = 16;
const ROW = LABEL_LINE + BAR + 12;
const AXIS = 22;

/**
 * Horizontal stacked bars: d3 computes the scale (in percent of the width), React draws the SVG.
 * Labels sit above their bars, so the chart reads the same at 375 px as at 1280 px.
 */
export function StackedBars({ title, segments, bars, format, markers = [] }: Props) {
  const totals = bars.map((b) => segments.reduce((sum, s) => sum + (b.values[s.key] ?? 0), 0));
  const maxValue = Math.max(1, ...totals, ...markers.map((m) => m.value));
  const x = scaleLinear().domain([0, maxValue]).nice(4).range([0, 100]);
  const plotBottom = bars.length * ROW;
  const height = plotBottom + AXIS;

  return (
    <figure className="not-prose">
      <svg data-chart width="100%" height={height} role="img" aria-label={title} className="block text-slate-600 dark:text-slate-400">
        <BarGrid ticks={x.ticks(4)} x={x} plotBottom={plotBottom} height={height} format={format} />
        {bars.map((bar, i) => {
          const top = i * ROW;
          let start = 0;
          return (
            <g key={bar.label}>
              <text x={0} y={top + 13} fontSize={LABEL_SIZE} className="fill-slate-900 dark:fill-slate-100">
                {bar.label}
                <tspan dx="0.6em" className="fill-slate-600 font-mono dark:fill-slate-400">
                  {format(totals[i] ?? 0)}
                </tspan>
              </text>
              {segments.map((s) => {
                const v = bar.values[s.key] ?? 0;
                const rect = <rect key={s.key} x={pct(x(start))} y={top + LABEL_LINE} width={pct(Math.max(0, x(start + v) - x(start)))} height={BAR} fill={s.color} />;
                start += v;
                return rect;
              })}
            </g>
          );
        })}
        {markers.map((m) => (
          <line key={m.label} x1={pct(x(m.value))} x2={pct(x(m.value))} y1={0} y2={plotBottom} stroke="currentColor" strokeDasharray="3 3" />
        ))}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
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
