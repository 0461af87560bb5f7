import { scaleLinear } from 'd3-scale';
import data from '@/content/data/relora-rank.json';
import { LABEL_SIZE, TICK_SIZE, pct, tickAnchor } from './axis';

/**
 * ReLoRA on the toy: the numerical rank of the merged change W − W₀ of two weights after each
 * restart, against the bound that k merges of rank r allow (k·r, and never more than the smaller
 * side), from content/data/relora-rank.json (scripts/benchmark-relora-rank.ts). A server
 * component: the SVG has no viewBox, x is in percent of the width and y in pixels, so its text
 * keeps its size on a phone.
 */

/** Colour (both themes) and marker per weight, so the two differ without colour too. */
const STYLES = [
  { stroke: 'stroke-sky-700 dark:stroke-sky-300', fill: 'fill-sky-700 dark:fill-sky-300', marker: 'circle' },
  { stroke: 'stroke-amber-700 dark:stroke-amber-300', fill: 'fill-amber-700 dark:fill-amber-300', marker: 'square' },
] as const;
/** Solid: numerical rank; dashed: the directions holding 90% of the change. */
const RANK90_DASH = '5 4';
const BOUND = 'stroke-slate-400 dark:stroke-slate-500';

const HEIGHT = 240;
const TOP = 14;
const AXIS = 38;

interface Point {
  step: number;
  merges: number;
  matrices: readonly { rank: number; rank90: number; singularValues: readonly number[] }[];
}

/** The bound on rank(W − W₀) after `merges` merges of rank-r updates: rank(Σ ΔWᵢ) ≤ Σ rank(ΔWᵢ). */
export function rankBound(merges: number, r: number, rows: number, cols: number): number {
  return Math.min(merges * r, rows, cols);
}

export function ReloraRankChart() {
  const { settings, matrices, measured, exactMatch } = data;
  const points = data.points as readonly Point[];
  const ceiling = Math.max(...matrices.map((m) => Math.min(m.rows, m.cols)));
  const lastMerges = Math.max(...points.map((p) => p.merges));
  const x = scaleLinear().domain([0, lastMerges]).range([9, 97]);
  const y = scaleLinear()
    .domain([0, ceiling])
    .range([HEIGHT - AXIS, TOP]);
  const yTicks = y.ticks(4);
  const tickStep = Math.max(1, Math.ceil(lastMerges / 6));
  const xTicks = Array.from({ length: Math.floor(lastMerges / tickStep) + 1 }, (_, i) => i * tickStep);
  // The bound as a polyline from the origin: k·r until it meets the ceiling.
  const boundPoints = [{ merges: 0 }, ...points].map((p) => ({ merges: p.merges, rank: rankBound(p.merges, settings.r, ceiling, ceiling) }));
  const title = `ReLoRA on the toy: the rank of the merged change of two weights grows by up to r = ${settings.r} per merge, ${lastMerges} merges in ${settings.steps} steps.`;
  return (
    <figure className="not-prose my-6">
      <svg data-chart width="100%" height={HEIGHT} role="img" aria-label={title} className="block text-slate-600 dark:text-slate-400">
        {yTicks.map((t) => (
          <g key={t}>
            <line x1="0" x2="100%" y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.15} />
            <text x={0} y={y(t) - 3} fontSize={TICK_SIZE} fill="currentColor">
              {t}
            </text>
          </g>
        ))}
        {xTicks.map((m) => (
          <text key={m} x={pct(x(m))} y={HEIGHT - AXIS + 16} textAnchor={tickAnchor(x(m))} fontSize={TICK_SIZE} fill="currentColor">
            {m}
          </text>
        ))}
        <text x="53%" y={HEIGHT - 4} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
          merges so far
        </text>
        {/* One LoRA update alone: rank r at most. */}
        <line x1="0" x2="100%" y1={y(settings.r)} y2={y(settings.r)} strokeWidth={1} strokeDasharray="2 3" className={BOUND} />
        <text x="100%" y={y(settings.r) - 4} textAnchor="end" fontSize={TICK_SIZE} fill="currentColor">
          one update: r = {settings.r}
        </text>
        {/* The bound as a pale band, so a rank line that follows it exactly leaves it visible. */}
        {boundPoints.slice(1).map((p, i) => {
          const prev = boundPoints[i]!;
          return <line key={p.merges} x1={pct(x(prev.merges))} x2={pct(x(p.merges))} y1={y(prev.rank)} y2={y(p.rank)} strokeWidth={10} strokeOpacity={0.35} strokeLinecap="round" className={BOUND} />;
        })}
        {matrices.map((m, i) => {
          const style = STYLES[i % STYLES.length]!;
          const series = [{ merges: 0, rank: 0, rank90: 0 }, ...points.map((p) => ({ merges: p.merges, rank: p.matrices[i]!.rank, rank90: p.matrices[i]!.rank90 }))];
          const segments = (key: 'rank' | 'rank90', dash?: string) =>
            series.slice(1).map((p, j) => {
              const prev = series[j]!;
              return <line key={`${key}${p.merges}`} x1={pct(x(prev.merges))} x2={pct(x(p.merges))} y1={y(prev[key])} y2={y(p[key])} strokeWidth={2} strokeDasharray={dash} className={style.stroke} />;
            });
          return (
            <g key={m.weight}>
              {segments('rank')}
              {segments('rank90', RANK90_DASH)}
              {series.slice(1).flatMap((p) => [p.rank, p.rank90].map((v, k) => <Marker key={`${p.merges}-${k}`} kind={style.marker} cx={pct(x(p.merges))} cy={y(v)} className={style.fill} />))}
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        <span className="flex flex-wrap gap-x-4 gap-y-1">
          {matrices.map((m, i) => {
            const style = STYLES[i % STYLES.length]!;
            return (
              <span key={m.weight} className="inline-flex items-center gap-1.5">
                <svg width="28" height="10" aria-hidden="true">
                  <line x1="0" x2="28" y1="5" y2="5" strokeWidth={2} className={style.stroke} />
                  <Marker kind={style.marker} cx="14" cy={5} className={style.fill} />
                </svg>
                {m.label} ({m.rows} × {m.cols})
              </span>
            );
          })}
          <span className="inline-flex items-center gap-1.5">
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" strokeWidth={10} strokeOpacity={0.35} className={BOUND} />
            </svg>
            bound k·r
          </span>
        </span>
        <span className="mt-1 block">
          Solid: numerical rank of W − W₀ just after each merge, the last at the end of training (singular values above σ<sub>max</sub> · max(rows, cols) · 2<sup>−23</sup>); dashed: the fewest directions that hold 90% of ‖W − W₀‖². ReLoRA on the {settings.task} task, r = {settings.r}, all six maps, a merge every{' '}
          {settings.resetEvery} steps, {settings.steps} steps at learning rate {settings.learningRate}; held-out exact match {Math.round(100 * exactMatch.base)}% → {Math.round(100 * exactMatch.tuned)}%. Measured {measured.date} on{' '}
          {measured.backend.toUpperCase()} by <code>scripts/benchmark-relora-rank.ts</code>.
        </span>
      </figcaption>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer">The figures: rank, and the directions that hold 90% of the change</summary>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="mt-2 text-left">
            <thead>
              <tr>
                <th scope="col" className="pr-4">
                  Step
                </th>
                <th scope="col" className="pr-4 text-right">
                  Merges
                </th>
                {matrices.map((m) => (
                  <th key={m.weight} scope="col" className="pr-4 text-right">
                    {m.label}: rank (90%)
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.step}>
                  <th scope="row" className="pr-4 font-normal">
                    {p.step}
                  </th>
                  <td className="pr-4 text-right font-mono">{p.merges}</td>
                  {p.matrices.map((m, i) => (
                    <td key={i} className="pr-4 text-right font-mono">
                      {m.rank} ({m.rank90})
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** A data point: a circle or a square of the same area, so two series differ by shape as well. */
function Marker({ kind, cx, cy, className }: { kind: 'circle' | 'square'; cx: string; cy: number; className: string }) {
  if (kind === 'circle') return <circle cx={cx} cy={cy} r={3} className={className} />;
  return (
    <svg x={cx} y={cy - 3} width={6} height={6} overflow="visible">
      <rect x={-3} width={5.4} height={5.4} className={className} />
    </svg>
  );
}
