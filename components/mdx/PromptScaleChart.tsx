import { scaleLinear, scaleLog } from 'd3-scale';
import data from '@/content/data/prompt-tuning-scale.json';
import { LABEL_SIZE, TICK_SIZE, pct, tickAnchor } from '@/components/charts/axis';
import { findTask } from '@/lib/peft/model/tasks';

/**
 * Prompt Tuning's held-out exact match on the toy against prompt length, one line per task (the
 * mean over seeds, each seed a dot), from content/data/prompt-tuning-scale.json, which
 * scripts/benchmark-prompt-length.ts writes. A server component: the SVG has no viewBox, x is in
 * percent of the width and y in pixels, so its text keeps its size on a phone.
 */

interface Run {
  task: string;
  tokens: number;
  init: string;
  seed: number;
  exactMatch: number;
}

/** Colour (both themes) and dash per task, so the lines differ without colour too. */
const STYLES = [
  { stroke: 'stroke-sky-700 dark:stroke-sky-300', fill: 'fill-sky-700 dark:fill-sky-300', dash: undefined },
  { stroke: 'stroke-amber-700 dark:stroke-amber-300', fill: 'fill-amber-700 dark:fill-amber-300', dash: '6 4' },
  { stroke: 'stroke-emerald-700 dark:stroke-emerald-300', fill: 'fill-emerald-700 dark:fill-emerald-300', dash: '2 3' },
  { stroke: 'stroke-fuchsia-700 dark:stroke-fuchsia-300', fill: 'fill-fuchsia-700 dark:fill-fuchsia-300', dash: '8 3 2 3' },
] as const;

const HEIGHT = 220;
const TOP = 14;
const AXIS = 36;

const percent = (v: number) => `${Math.round(100 * v)}%`;

/** Per task, the mean and each seed's exact match at every measured length (a length a stopped
 * measurement never reached is left out, not drawn as 0). */
export function promptScaleSeries(runs: readonly Run[], tasks: readonly string[], lengths: readonly number[]) {
  return tasks
    .map((task) => ({
      task,
      points: lengths
        .map((tokens) => {
          const seeds = runs.filter((r) => r.task === task && r.tokens === tokens && r.init === 'sample-vocab').map((r) => r.exactMatch);
          return { tokens, seeds, mean: seeds.reduce((s, v) => s + v, 0) / Math.max(1, seeds.length) };
        })
        .filter((p) => p.seeds.length > 0),
    }))
    .filter((s) => s.points.length > 0);
}

export function PromptScaleChart() {
  const { tasks: planned, lengths, seeds, steps, learningRate } = data.settings;
  const series = promptScaleSeries(data.runs, planned, lengths);
  const tasks = series.map((s) => s.task);
  const x = scaleLog()
    .base(2)
    .domain([Math.min(...lengths), Math.max(...lengths)])
    .range([12, 96]);
  const y = scaleLinear().domain([0, 1]).range([HEIGHT - AXIS, TOP]);
  const title = `Prompt Tuning on the toy: held-out exact match against prompt length for ${tasks.join(', ')}; ${steps} steps per run.`;
  return (
    <figure className="not-prose my-6">
      <svg data-chart width="100%" height={HEIGHT} role="img" aria-label={title} className="block text-slate-600 dark:text-slate-400">
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1="0" x2="100%" y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.15} />
            <text x={0} y={y(t) - 3} fontSize={TICK_SIZE} fill="currentColor">
              {percent(t)}
            </text>
          </g>
        ))}
        {lengths.map((l) => (
          <text key={l} x={pct(x(l))} y={HEIGHT - AXIS + 16} textAnchor={tickAnchor(x(l))} fontSize={TICK_SIZE} fill="currentColor">
            {l}
          </text>
        ))}
        <text x="54%" y={HEIGHT - 4} textAnchor="middle" fontSize={LABEL_SIZE} fill="currentColor">
          prompt length l (virtual tokens)
        </text>
        {series.map((s, i) => {
          const style = STYLES[i % STYLES.length]!;
          return (
            <g key={s.task}>
              {s.points.slice(1).map((p, j) => {
                const prev = s.points[j]!;
                return <line key={p.tokens} x1={pct(x(prev.tokens))} x2={pct(x(p.tokens))} y1={y(prev.mean)} y2={y(p.mean)} strokeWidth={2} strokeDasharray={style.dash} className={style.stroke} />;
              })}
              {s.points.flatMap((p) => p.seeds.map((v, k) => <circle key={`${p.tokens}-${k}`} cx={pct(x(p.tokens))} cy={y(v)} r={2.5} className={style.fill} fillOpacity={0.55} />))}
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        <span className="flex flex-wrap gap-x-4 gap-y-1">
          {series.map((s, i) => {
            const style = STYLES[i % STYLES.length]!;
            return (
              <span key={s.task} className="inline-flex items-center gap-1.5">
                <svg width="24" height="8" aria-hidden="true">
                  <line x1="0" x2="24" y1="4" y2="4" strokeWidth={2} strokeDasharray={style.dash} className={style.stroke} />
                </svg>
                {findTask(s.task).name} ({s.task})
              </span>
            );
          })}
        </span>
        <span className="mt-1 block">
          Lines: mean over the seeds measured ({seeds.join(', ')}; {data.measured.runsDone} planned runs done); dots: each run. {steps} steps at learning rate {learningRate}, prompt started from sampled vocabulary embeddings; measured {data.measured.date} on {data.measured.backend.toUpperCase()} by <code>scripts/benchmark-prompt-length.ts</code>.
        </span>
      </figcaption>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer">The figures: mean (each seed)</summary>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="mt-2 text-left">
            <thead>
              <tr>
                <th scope="col" className="pr-4">
                  Task
                </th>
                {lengths.map((l) => (
                  <th key={l} scope="col" className="pr-4 text-right">
                    l = {l}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.map((s) => (
                <tr key={s.task}>
                  <th scope="row" className="pr-4 font-normal">
                    {s.task}
                  </th>
                  {lengths.map((l) => {
                    const p = s.points.find((q) => q.tokens === l);
                    return (
                      <td key={l} className="pr-4 text-right font-mono">
                        {p ? `${percent(p.mean)} (${p.seeds.map(percent).join(', ')})` : '—'}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
