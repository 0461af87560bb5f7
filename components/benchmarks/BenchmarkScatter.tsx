'use client';

import { scaleLinear, scaleLog } from 'd3-scale';
import { curveStepAfter, line } from 'd3-shape';
import { useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { LABEL_SIZE, TICK_SIZE, tickLabel } from '@/components/charts/axis';
import { placeLabels } from '@/components/charts/ScatterChart';
import { useElementWidth } from '@/components/charts/useElementWidth';
import { paretoFront } from './pareto';
import { logDomain, pickLogTicks, whisker } from './scales';

export interface ScatterDatum {
  id: string;
  label: string;
  category: string;
  /** Cost, on a log axis (lower is better). */
  x: number;
  /** Quality in [0, 1] (higher is better), with its std over `n` seeds. */
  y: number;
  yStd: number;
  n: number;
  /** The tooltip's lines after the label: [name, value] pairs. */
  details: readonly (readonly [string, string])[];
}

interface Props {
  title: string;
  points: readonly ScatterDatum[];
  xLabel: string;
  yLabel: string;
  formatX: (v: number) => string;
  /** A dashed horizontal reference (the task's target), if any. */
  target?: { value: number; label: string };
}

const H = 340;
const M = { top: 16, right: 18, bottom: 46, left: 52 };

/**
 * Cost against quality: x on a log scale, y exact match on a fixed [0, 1] axis (so tasks compare
 * at a glance), ± std whiskers, colour by category, the Pareto front as a step line (the best
 * quality reachable at each cost), front points labelled. Each point shows its details on hover
 * and on keyboard focus; the points form one tab stop, arrow keys move between them by cost.
 */
export function BenchmarkScatter({ title, points, xLabel, yLabel, formatX, target }: Props) {
  const [ref, measured] = useElementWidth<HTMLDivElement>(640);
  const W = Math.max(300, measured);
  const [active, setActive] = useState<string | null>(null);
  const [focusId, setFocusId] = useState<string | null>(null);
  const pointRefs = useRef(new Map<string, SVGGElement>());

  const ordered = useMemo(() => [...points].filter((p) => p.x > 0 && Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x || a.y - b.y), [points]);
  const front = useMemo(() => paretoFront(ordered), [ordered]);
  const onFront = new Set(front.map((p) => p.id));

  const x = scaleLog().domain(logDomain(ordered.map((p) => p.x))).range([M.left, W - M.right]);
  const y = scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
  const xTicks = pickLogTicks(x.ticks(), W < 480 ? 4 : 7);
  const yTicks = y.ticks(5);
  const frontPath = line<ScatterDatum>()
    .x((p) => x(p.x))
    .y((p) => y(p.y))
    .curve(curveStepAfter)(front);
  const labels = placeLabels(
    front.map((p) => ({ label: p.label, x: p.x, y: p.y, px: x(p.x), py: y(p.y) })),
    W,
  );

  // The roving tab stop: the focused point, else the first.
  const tabId = focusId && ordered.some((p) => p.id === focusId) ? focusId : (ordered[0]?.id ?? null);
  const shown = ordered.find((p) => p.id === active) ?? null;

  const move = (e: KeyboardEvent, index: number) => {
    const keys: Record<string, number> = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: ordered.length - 1 };
    if (e.key === 'Escape') {
      setActive(null);
      return;
    }
    const next = keys[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const p = ordered[Math.max(0, Math.min(ordered.length - 1, next))];
    if (!p) return;
    setFocusId(p.id);
    pointRefs.current.get(p.id)?.focus();
  };

  return (
    <figure className="not-prose">
      {/* The measured box stays mounted when the chart empties, so its width keeps following the page. */}
      <div ref={ref} className="relative" data-testid="benchmark-scatter" onMouseLeave={() => setActive(null)}>
        {ordered.length === 0 ? (
          <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400" data-testid="scatter-empty">
            No points to plot: no method of the selected categories has a result on this task.
          </p>
        ) : (
          <>
            {/* max-w-full: before the first measurement the fallback width must not widen a phone's page. */}
            <svg width={W} height={H} role="group" aria-label={title} className="block max-w-full text-slate-600 dark:text-slate-400">
              {xTicks.map((t) => (
                <g key={`x${t}`} aria-hidden="true">
                  <line x1={x(t)} x2={x(t)} y1={M.top} y2={H - M.bottom} stroke="currentColor" strokeOpacity={0.15} />
                  <text x={x(t)} y={H - M.bottom + 16} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
                    {tickLabel(formatX, t)}
                  </text>
                </g>
              ))}
              {yTicks.map((t) => (
                <g key={`y${t}`} aria-hidden="true">
                  <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.15} />
                  <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
                    {t.toFixed(1)}
                  </text>
                </g>
              ))}
              <g aria-hidden="true">
                <text x={(M.left + W - M.right) / 2} y={H - 8} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
                  {xLabel}
                </text>
                <text transform={`translate(13 ${(M.top + H - M.bottom) / 2}) rotate(-90)`} textAnchor="middle" fontSize={TICK_SIZE} fill="currentColor">
                  {yLabel}
                </text>
              </g>
              {target && (
                <g aria-hidden="true" data-testid="scatter-target">
                  <line x1={M.left} x2={W - M.right} y1={y(target.value)} y2={y(target.value)} stroke="currentColor" strokeDasharray="5 4" />
                  <text x={W - M.right} y={y(target.value) - 5} textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
                    {target.label}
                  </text>
                </g>
              )}
              {frontPath && (
                <path d={frontPath} fill="none" strokeWidth={2} className="stroke-brand-700 dark:stroke-brand-300" strokeOpacity={0.7} aria-hidden="true" data-testid="pareto-front" data-count={front.length} />
              )}
              {ordered.map((p) => {
                const [lo, hi] = whisker(p.y, p.yStd, 0, 1);
                return hi > lo ? (
                  <g key={`e${p.id}`} aria-hidden="true" stroke="currentColor" strokeWidth={1.25} pointerEvents="none">
                    <line x1={x(p.x)} x2={x(p.x)} y1={y(lo)} y2={y(hi)} />
                    <line x1={x(p.x) - 4} x2={x(p.x) + 4} y1={y(lo)} y2={y(lo)} />
                    <line x1={x(p.x) - 4} x2={x(p.x) + 4} y1={y(hi)} y2={y(hi)} />
                  </g>
                ) : null;
              })}
              {labels.map((l) => (
                <text key={`l${l.label}`} x={l.anchor === 'start' ? l.px + 9 : l.px - 9} y={l.ly} textAnchor={l.anchor} fontSize={LABEL_SIZE - 1} className="fill-slate-900 dark:fill-slate-100" aria-hidden="true" pointerEvents="none">
                  {l.label}
                </text>
              ))}
              {ordered.map((p, i) => (
                <g
                  key={p.id}
                  ref={(el) => {
                    if (el) pointRefs.current.set(p.id, el);
                    else pointRefs.current.delete(p.id);
                  }}
                  role="img"
                  tabIndex={p.id === tabId ? 0 : -1}
                  aria-label={`${p.label}: ${p.details.map(([k, v]) => `${k} ${v}`).join('; ')}`}
                  data-testid="scatter-point"
                  data-method={p.id}
                  data-category={p.category}
                  data-front={onFront.has(p.id) ? 'true' : 'false'}
                  className="cursor-pointer outline-none [&:focus-visible>circle.mark]:stroke-[3px]"
                  onMouseEnter={() => setActive(p.id)}
                  onMouseLeave={() => setActive((a) => (a === p.id ? null : a))}
                  onFocus={() => {
                    setActive(p.id);
                    setFocusId(p.id);
                  }}
                  onBlur={() => setActive((a) => (a === p.id ? null : a))}
                  onKeyDown={(e) => move(e, i)}
                >
                  <circle
                    className="mark stroke-slate-900 dark:stroke-white"
                    cx={x(p.x)}
                    cy={y(p.y)}
                    r={onFront.has(p.id) ? 6 : 5}
                    style={{ fill: `var(--cat-${p.category}, #64748b)` }}
                    strokeWidth={active === p.id ? 2.5 : onFront.has(p.id) ? 1.5 : 0.5}
                  />
                  {/* A larger transparent target, so a point is easy to hover on a phone. */}
                  <circle cx={x(p.x)} cy={y(p.y)} r={11} fill="transparent" />
                </g>
              ))}
            </svg>
            {shown && <Tooltip point={shown} left={x(shown.x)} top={y(shown.y)} width={W} />}
          </>
        )}
      </div>
    </figure>
  );
}

/** The tooltip's widest (its max-w-[16rem]), in px. */
const TIP = 256;

function Tooltip({ point, left, top, width }: { point: ScatterDatum; left: number; top: number; width: number }) {
  // On a wide chart: right of the point in the left half, left of it in the right half. On a
  // narrow one (a phone) there is no room beside it: centred on it, kept inside the chart.
  // Vertically: above the point in the lower half, below it in the upper half.
  const style: CSSProperties = {
    ...(width < 2 * TIP + 40
      ? { left: Math.max(0, Math.min(width - TIP, left - TIP / 2)) }
      : left < width / 2
        ? { left: left + 14 }
        : { right: width - left + 14 }),
    ...(top > H / 2 ? { bottom: H - top + 12 } : { top: top + 12 }),
  };
  return (
    <div
      role="tooltip"
      data-testid="scatter-tooltip"
      data-method={point.id}
      style={style}
      className="pointer-events-none absolute z-20 w-max max-w-[16rem] rounded-md border border-slate-300 bg-white p-2 text-xs shadow-lg dark:border-slate-600 dark:bg-slate-900"
    >
      <p className="font-semibold text-slate-900 dark:text-slate-100">{point.label}</p>
      <dl className="mt-1 grid grid-cols-[auto_auto] gap-x-3 gap-y-0.5">
        {point.details.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-600 dark:text-slate-400">{k}</dt>
            <dd className="font-mono tabular-nums text-slate-900 dark:text-slate-100">{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
