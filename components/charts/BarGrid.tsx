import { TICK_SIZE, pct, tickAnchor, tickLabel } from './axis';

/**
 * The vertical grid lines of a horizontal bar chart, each with its value under the plot. `x` maps
 * a value to its position in percent of the width, as the bar charts' scales do.
 */
export function BarGrid({ ticks, x, plotBottom, height, format }: { ticks: readonly number[]; x: (v: number) => number; plotBottom: number; height: number; format: (v: number) => string }) {
  return ticks.map((t) => (
    <g key={t}>
      <line x1={pct(x(t))} x2={pct(x(t))} y1={0} y2={plotBottom} stroke="currentColor" strokeOpacity={0.2} />
      <text x={pct(x(t))} y={height - 5} textAnchor={tickAnchor(x(t))} fontSize={TICK_SIZE} fill="currentColor">
        {tickLabel(format, t)}
      </text>
    </g>
  ));
}
