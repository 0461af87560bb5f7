'use client';

import { extent, max } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { LABEL_SIZE, TICK_SIZE } from './axis';
import { useElementWidth } from './useElementWidth';

export interface Series {
  label: string;
  /** A CSS colour; the legend shows it too. */
  color: string;
  points: readonly { x: number; y: number }[];
  /** Which vertical axis the series uses. */
  axis: 'left' | 'right';
}

interface Props {
  series: readonly Series[];
  xLabel: string;
  leftLabel: string;
  rightLabel?: string;
  /** Fixed domain for the right axis, e.g. [0, 1] for accuracy. */
  rightDomain?: [number, number];
  xMax?: number;
  title: string;
}

const H = 240;
const M = { top: 12, right: 52, bottom: 40, left: 52 };

/**
 * A small two-axis line chart: d3 computes scales and paths, React draws the SVG at the width it
 * is given (measured), so its text stays at its font size on a phone; fewer ticks when narrow.
 */
export function LineChart({ series, xLabel, leftLabel, rightLabel, rightDomain, xMax, title }: Props) {
  const [ref, measured] = useElementWidth<HTMLElement>(560);
  const W = Math.max(240, measured);
  const all = series.flatMap((s) => s.points);
  const xs = extent(all, (p) => p.x);
  const x = scaleLinear()
    .domain([0, xMax ?? xs[1] ?? 1])
    .range([M.left, W - M.right]);
  const leftMax = max(series.filter((s) => s.axis === 'left').flatMap((s) => s.points), (p) => p.y) ?? 1;
  const yLeft = scaleLinear()
    .domain([0, Number.isFinite(leftMax) && leftMax > 0 ? leftMax : 1])
    .nice()
    .range([H - M.bottom, M.top]);
  const yRight = scaleLinear()
    .domain(rightDomain ?? [0, 1])
    .range([H - M.bottom, M.top]);
  const path = (s: Series) =>
    line<{ x: number; y: number }>()
      .x((p) => x(p.x))
      .y((p) => (s.axis === 'left' ? yLeft : yRight)(p.y))(s.points as { x: number; y: number }[]) ?? '';
  // About one x tick per 70 px, so the numbers never run into each other.
  const xTicks = x.ticks(Math.max(2, Math.floor((W - M.left - M.right) / 70)));

  return (
    <figure ref={ref} className="not-prose">
      <svg data-chart width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="block max-w-full text-slate-600 dark:text-slate-400">
        {yLeft.ticks(5).map((t) => (
          <g key={`l${t}`} transform={`translate(0,${yLeft(t)})`}>
            <line x1={M.left} x2={W - M.right} stroke="currentColor" strokeOpacity={0.15} />
            <text x={M.left - 6} dy="0.32em" textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
              {t}
            </text>
          </g>
        ))}
        {rightLabel &&
          yRight.ticks(5).map((t) => (
            <text key={`r${t}`} x={W - M.right + 6} y={yRight(t)} dy="0.32em" fontSize={TICK_SIZE} fill="currentColor">
              {Math.round(t * 100)}%
            </text>
          ))}
        {xTicks.map((t) => (
          <text key={`x${t}`} x={x(t)} y={H - M.bottom + 18} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
            {t}
          </text>
        ))}
        <text x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
          {xLabel}
        </text>
        <text transform={`translate(16,${(H - M.bottom + M.top) / 2}) rotate(-90)`} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
          {leftLabel}
        </text>
        {rightLabel && (
          <text transform={`translate(${W - 16},${(H - M.bottom + M.top) / 2}) rotate(90)`} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
            {rightLabel}
          </text>
        )}
        {series.map((s) => (
          <path key={s.label} d={path(s)} fill="none" stroke={s.color} strokeWidth={2} />
        ))}
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span aria-hidden className="inline-block h-0.5 w-4" style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
