import { scaleLinear } from 'd3-scale';
import { LABEL_SIZE, pct } from '@/components/charts/axis';
import { BarGrid } from '@/components/charts/BarGrid';
import { whisker } from './scales';

export interface ErrorBar {
  id: string;
  label: string;
  category: string;
  /** Mean ± std over n seeds, or null with `missing` saying why there is no value. */
  value: { mean: number; std: number; n: number } | null;
  missing?: string;
}

interface Props {
  title: string;
  bars: readonly ErrorBar[];
  format: (v: number) => string;
  /** The axis range: [0, 1] for exact match; omitted, 0 to the largest mean + std. */
  domain?: [number, number];
  /** A dashed vertical reference (the task's target), if any. */
  marker?: { value: number; label: string };
}

const LABEL_LINE = 18;
const BAR = 12;
const ROW = LABEL_LINE + BAR + 10;
const AXIS = 22;

/**
 * Horizontal bars of a mean with ± std whiskers, one row per method, label and value above the bar
 * (so it reads the same at 375 px as on a desktop; positions are percentages, nothing is measured).
 * A row without a value says why instead of drawing a zero-length bar that would read as zero.
 */
export function ErrorBars({ title, bars, format, domain, marker }: Props) {
  const highest = Math.max(0, ...bars.map((b) => (b.value ? b.value.mean + b.value.std : 0)).filter(Number.isFinite));
  const [d0, d1] = domain ?? [0, highest > 0 ? highest : 1];
  const x = scaleLinear().domain([d0, d1]).range([0, 100]);
  if (!domain) x.nice(4);
  const [lo, hi] = x.domain() as [number, number];
  const plotBottom = bars.length * ROW;
  const height = plotBottom + AXIS;
  return (
    <figure className="not-prose">
      <svg data-chart data-testid="error-bars" width="100%" height={height} role="img" aria-label={title} className="block text-slate-600 dark:text-slate-400">
        <BarGrid ticks={x.ticks(4)} x={x} plotBottom={plotBottom} height={height} format={format} />
        {bars.map((b, i) => {
          const top = i * ROW;
          const v = b.value;
          const [wLo, wHi] = v ? whisker(v.mean, v.std, lo, hi) : [0, 0];
          const mid = top + LABEL_LINE + BAR / 2;
          return (
            <g key={b.id} data-bar={b.id}>
              <text x={0} y={top + 13} fontSize={LABEL_SIZE} className="fill-slate-900 dark:fill-slate-100">
                {b.label}
                <tspan dx="0.6em" className="fill-slate-600 font-mono dark:fill-slate-400">
                  {v ? (v.n > 1 ? `${format(v.mean)} ± ${format(v.std)}` : format(v.mean)) : (b.missing ?? 'no value')}
                </tspan>
              </text>
              {v && (
                <>
                  <rect x={0} y={top + LABEL_LINE} width={pct(Math.max(0, x(Math.min(hi, Math.max(lo, v.mean)))))} height={BAR} style={{ fill: `var(--cat-${b.category}, #64748b)` }} opacity={0.85} />
                  {wHi > wLo && (
                    <g stroke="currentColor" strokeWidth={1.25}>
                      <line x1={pct(x(wLo))} x2={pct(x(wHi))} y1={mid} y2={mid} />
                      <line x1={pct(x(wLo))} x2={pct(x(wLo))} y1={mid - 5} y2={mid + 5} />
                      <line x1={pct(x(wHi))} x2={pct(x(wHi))} y1={mid - 5} y2={mid + 5} />
                    </g>
                  )}
                </>
              )}
            </g>
          );
        })}
        {marker && marker.value >= lo && marker.value <= hi && (
          <line x1={pct(x(marker.value))} x2={pct(x(marker.value))} y1={0} y2={plotBottom} stroke="currentColor" strokeDasharray="5 4" />
        )}
      </svg>
      <figcaption className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        Whiskers: ± one sample standard deviation over seeds{marker ? `; dashed line: ${marker.label}` : ''}.
      </figcaption>
    </figure>
  );
}
