import { scaleLog } from 'd3-scale';
import { LABEL_SIZE, pct } from './axis';
import { BarGrid } from './BarGrid';

interface Props {
  title: string;
  bars: readonly { label: string; value: number }[];
  format: (v: number) => string;
  color: string;
}

/** One row: the label and the value on a line, the bar below them (px). */
const LABEL_LINE = 18;
const BAR = 12;
const ROW = LABEL_LINE + BAR + 10;
const AXIS = 22;

/**
 * Horizontal bars on a log scale: counts that span several orders of magnitude stay readable.
 * Labels sit above their bars, so the chart reads the same at 375 px as at 1280 px.
 */
export function LogBars({ title, bars, format, color }: Props) {
  const positive = bars.map((b) => b.value).filter((v) => v > 0);
  const lo = Math.max(1, Math.min(...positive, 1e3) / 2);
  const hi = Math.max(lo * 10, ...positive);
  const x = scaleLog().domain([lo, hi]).nice().range([0, 100]);
  const decades = x.ticks().filter((t) => Number.isInteger(Math.log10(t)));
  // Every other power of ten when there are many, so the labels never touch on a phone.
  const ticks = decades.length > 6 ? decades.filter((_, i) => i % 2 === 0) : decades;
  const plotBottom = bars.length * ROW;
  const height = plotBottom + AXIS;
  return (
    <figure className="not-prose">
      <svg data-chart width="100%" height={height} role="img" aria-label={title} className="block text-slate-600 dark:text-slate-400">
        <BarGrid ticks={ticks} x={x} plotBottom={plotBottom} height={height} format={format} />
        {bars.map((b, i) => {
          const top = i * ROW;
          const end = b.value > 0 ? x(Math.max(b.value, lo)) : 0;
          return (
            <g key={b.label}>
              <text x={0} y={top + 13} fontSize={LABEL_SIZE} className="fill-slate-900 dark:fill-slate-100">
                {b.label}
                <tspan dx="0.6em" className="fill-slate-600 font-mono dark:fill-slate-400">
                  {format(b.value)}
                </tspan>
              </text>
              <rect x={0} y={top + LABEL_LINE} width={pct(Math.max(0, end))} height={BAR} fill={color} />
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
