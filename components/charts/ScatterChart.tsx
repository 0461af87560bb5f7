'use client';

import { extent } from 'd3-array';
import { scaleLinear, scaleLog } from 'd3-scale';
import { LABEL_SIZE, TICK_SIZE, tickLabel } from './axis';
import { useElementWidth } from './useElementWidth';

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
}

interface Props {
  title: string;
  points: readonly ScatterPoint[];
  xLabel: string;
  yLabel: string;
  formatX: (v: number) => string;
  formatY: (v: number) => string;
}

const H = 300;
const M = { top: 14, right: 16, bottom: 44, left: 64 };
const LINE = LABEL_SIZE + 3;

/**
 * Labelled points, x on a log scale (counts that span decades), y linear and fitted to the data
 * (the differences matter, not the distance from zero: the axis says where it starts). Labels sit
 * right of their points, or left near the right edge, and are pushed apart vertically so none
 * overlap, with a leader line when moved.
 */
export function ScatterChart({ title, points, xLabel, yLabel, formatX, formatY }: Props) {
  const [ref, measured] = useElementWidth<HTMLElement>(560);
  const W = Math.max(280, measured);
  const [x0, x1] = extent(points, (p) => p.x) as [number, number];
  const [y0, y1] = extent(points, (p) => p.y) as [number, number];
  const x = scaleLog()
    .domain([Math.max(1, (x0 ?? 1) / 2), Math.max(10, (x1 ?? 10) * 2)])
    .range([M.left, W - M.right])
    .nice();
  const spread = (y1 ?? 1) - (y0 ?? 0) || Math.abs(y1 ?? 1) * 0.1 || 1;
  const y = scaleLinear()
    .domain([(y0 ?? 0) - spread * 0.15, (y1 ?? 1) + spread * 0.15])
    .nice()
    .range([H - M.bottom, M.top]);
  const xTicks = x.ticks().filter((t) => Number.isInteger(Math.log10(t)));
  const yTicks = y.ticks(5);
  const labels = placeLabels(points.map((p) => ({ ...p, px: x(p.x), py: y(p.y) })), W);

  return (
    <figure ref={ref} className="not-prose">
      <svg data-chart width={W} height={H} role="img" aria-label={title} className="block text-slate-600 dark:text-slate-400">
        {xTicks.map((t) => (
          <g key={`x${t}`}>
            <line x1={x(t)} x2={x(t)} y1={M.top} y2={H - M.bottom} stroke="currentColor" strokeOpacity={0.2} />
            <text x={x(t)} y={H - M.bottom + 16} textAnchor={x(t) > W - M.right - 24 ? 'end' : 'middle'} fontSize={TICK_SIZE} fill="currentColor">
              {tickLabel(formatX, t)}
            </text>
          </g>
        ))}
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.2} />
            <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
              {tickLabel(formatY, t)}
            </text>
          </g>
        ))}
        <text x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
          {xLabel}
        </text>
        <text transform={`translate(12 ${(M.top + H - M.bottom) / 2}) rotate(-90)`} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
          {yLabel}
        </text>
        {labels.map((l) => (
          <g key={l.label} data-point={l.label}>
            {Math.abs(l.ly - l.py) > 2 ? <line x1={l.px} y1={l.py} x2={l.anchor === 'start' ? l.px + 6 : l.px - 6} y2={l.ly - 4} stroke="currentColor" strokeOpacity={0.5} /> : null}
            <circle cx={l.px} cy={l.py} r={4.5} className="fill-blue-600 dark:fill-blue-400" />
            <text x={l.anchor === 'start' ? l.px + 8 : l.px - 8} y={l.ly} textAnchor={l.anchor} fontSize={LABEL_SIZE} className="fill-slate-900 dark:fill-slate-100">
              {l.label}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

interface Placed extends ScatterPoint {
  px: number;
  py: number;
  /** Baseline of the label. */
  ly: number;
  anchor: 'start' | 'end';
}

/** Greedy label placement: top to bottom, each label moved down until it clears the ones on its side. */
export function placeLabels(points: readonly (ScatterPoint & { px: number; py: number })[], width: number): Placed[] {
  const approxWidth = (label: string) => label.length * LABEL_SIZE * 0.6 + 10;
  const placed: Placed[] = [];
  for (const p of [...points].sort((a, b) => a.py - b.py)) {
    const anchor = p.px + approxWidth(p.label) > width - M.right ? 'end' : 'start';
    const left = anchor === 'start' ? p.px : p.px - approxWidth(p.label);
    const right = left + approxWidth(p.label);
    let ly = p.py + 4;
    // Each move lowers the label by a whole line below another one (the tolerance absorbs rounding
    // in q.ly + LINE − q.ly), so at most one move per placed label.
    for (let moves = 0, moved = true; moved && moves <= placed.length; moves++) {
      moved = false;
      for (const q of placed) {
        const qLeft = q.anchor === 'start' ? q.px : q.px - approxWidth(q.label);
        const overlapsX = left < qLeft + approxWidth(q.label) && qLeft < right;
        if (overlapsX && Math.abs(ly - q.ly) < LINE - 0.5) {
          ly = q.ly + LINE;
          moved = true;
        }
      }
    }
    placed.push({ ...p, ly, anchor });
  }
  return placed;
}
