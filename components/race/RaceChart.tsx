'use client';

import { max } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { LABEL_SIZE, TICK_SIZE } from '@/components/charts/axis';
import { useElementWidth } from '@/components/charts/useElementWidth';

export interface RaceSeries {
  label: string;
  color: string;
  /** An SVG stroke-dasharray, '' for solid: lines differ in more than colour. */
  dash: string;
  points: readonly { x: number; y: number }[];
}

interface Props {
  title: string;
  series: readonly RaceSeries[];
  xLabel: string;
  yLabel: string;
  /** Fixed y domain (exact match: [0, 1]); otherwise 0 to the largest value. */
  yDomain?: [number, number];
  /** Tick labels as percentages. */
  percent?: boolean;
  xMax?: number;
  /** A horizontal reference line, e.g. the task's target. */
  reference?: { y: number; label: string };
}

const H = 240;
const M = { top: 14, right: 16, bottom: 40, left: 52 };

/**
 * One measure of every lane overlaid: d3 computes scales and paths, React draws the SVG at its
 * measured width (as components/charts/LineChart does), one y axis, a dash pattern per lane.
 */
export function RaceChart({ title, series, xLabel, yLabel, yDomain, percent = false, xMax, reference }: Props) {
  const [ref, measured] = useElementWidth<HTMLElement>(560);
  const W = Math.max(240, measured);
  const all = series.flatMap((s) => s.points);
  const xTop = xMax ?? max(all, (p) => p.x) ?? 1;
  const x = scaleLinear()
    .domain([0, Number.isFinite(xTop) && xTop > 0 ? xTop : 1])
    .range([M.left, W - M.right]);
  const yTop = max(all, (p) => p.y) ?? 1;
  const y = scaleLinear()
    .domain(yDomain ?? [0, Number.isFinite(yTop) && yTop > 0 ? yTop : 1])
    .nice()
    .range([H - M.bottom, M.top]);
  const path = (s: RaceSeries) =>
    line<{ x: number; y: number }>()
      .x((p) => x(p.x))
      .y((p) => y(p.y))(s.points as { x: number; y: number }[]) ?? '';
  const xTicks = x.ticks(Math.max(2, Math.floor((W - M.left - M.right) / 70)));
  const yTick = (t: number) => (percent ? `${Math.round(t * 100)}%` : String(t));

  return (
    <figure ref={ref} className="not-prose min-w-0">
      <svg data-chart width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="block max-w-full text-slate-600 dark:text-slate-400">
        {y.ticks(5).map((t) => (
          <g key={t} transform={`translate(0,${y(t)})`}>
            <line x1={M.left} x2={W - M.right} stroke="currentColor" strokeOpacity={0.15} />
            <text x={M.left - 6} dy="0.32em" textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
              {yTick(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={t} x={x(t)} y={H - M.bottom + 18} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
            {t}
          </text>
        ))}
        <text x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
          {xLabel}
        </text>
        <text transform={`translate(16,${(H - M.bottom + M.top) / 2}) rotate(-90)`} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
          {yLabel}
        </text>
        {reference && (
          <g transform={`translate(0,${y(reference.y)})`}>
            <line x1={M.left} x2={W - M.right} stroke="currentColor" strokeDasharray="1 3" strokeWidth={1.5} />
            <text x={W - M.right - 4} dy="-0.4em" textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
              {reference.label}
            </text>
          </g>
        )}
        {series.map((s) => (
          <path key={s.label} d={path(s)} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dash || undefined} strokeLinejoin="round" />
        ))}
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <svg aria-hidden width={24} height={6} className="shrink-0">
              <line x1={0} x2={24} y1={3} y2={3} stroke={s.color} strokeWidth={2} strokeDasharray={s.dash || undefined} />
            </svg>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
