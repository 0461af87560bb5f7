'use client';

import { useState } from 'react';
import { formatPercent } from '@/components/format';
import { findPeftMethod } from '@/lib/peft/registry';
import { RaceChart, type RaceSeries } from './RaceChart';
import { evalTable, laneStyle, type Lane, type LanePoint } from './race-lanes';

type XAxis = 'step' | 'seconds';

/** Loss and held-out exact match of every lane, against steps or wall time, with the data as a table. */
export function RaceCharts({ lanes, steps, target }: { lanes: readonly Lane[]; steps: number; target: number }) {
  const [axis, setAxis] = useState<XAxis>('step');
  const [tableOpen, setTableOpen] = useState(false);
  const names = lanes.map((l) => findPeftMethod(l.method).name);
  const series = (pick: (l: Lane) => readonly LanePoint[]): RaceSeries[] =>
    lanes.map((l, i) => ({ label: names[i] as string, ...laneStyle(i), points: pick(l).map((p) => ({ x: axis === 'step' ? p.step : p.seconds, y: p.value })) }));
  const xLabel = axis === 'step' ? 'step' : 'seconds since the start';
  const xMax = axis === 'step' ? steps : undefined;

  return (
    <div className="mt-6">
      <fieldset className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
        <legend className="sr-only">Plot against</legend>
        <span className="font-medium" aria-hidden>
          Plot against
        </span>
        {(
          [
            ['step', 'steps'],
            ['seconds', 'wall time'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="inline-flex items-center gap-1">
            <input type="radio" name="race-x-axis" data-testid={`race-axis-${value}`} value={value} checked={axis === value} onChange={() => setAxis(value)} />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="mt-3 grid grid-cols-1 gap-6 lg:grid-cols-2">
        <RaceChart title={`Training loss of each method against ${xLabel}`} series={series((l) => l.losses)} xLabel={xLabel} yLabel="training loss" xMax={xMax} />
        <RaceChart
          title={`Held-out exact match of each method against ${xLabel}, with the task's target at ${formatPercent(target)}`}
          series={series((l) => l.accuracies)}
          xLabel={xLabel}
          yLabel="held-out exact match"
          yDomain={[0, 1]}
          percent
          xMax={xMax}
          reference={{ y: target, label: `target ${formatPercent(target)}` }}
        />
      </div>
      <details className="mt-3 text-sm" onToggle={(e) => setTableOpen(e.currentTarget.open)}>
        <summary className="cursor-pointer">The charts as a table</summary>
        {tableOpen && (
          <div className="mt-2 max-h-96 overflow-auto">
            <table data-testid="race-chart-table" className="w-full text-left text-sm">
              <caption className="mb-1 text-left text-xs text-slate-600 dark:text-slate-400">Held-out exact match and the training loss at each evaluation</caption>
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-600">
                  <th scope="col" className="py-1 pr-3">
                    Step
                  </th>
                  {names.map((n) => (
                    <th key={n} scope="col" className="py-1 pr-3 text-right">
                      {n}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="font-mono">
                {evalTable(lanes).map((row) => (
                  <tr key={row.step} className="border-b border-slate-100 dark:border-slate-800">
                    <th scope="row" className="py-0.5 pr-3 font-normal">
                      {row.step}
                    </th>
                    {row.cells.map((c, i) => (
                      <td key={i} className="py-0.5 pr-3 text-right">
                        {c.accuracy === null ? '–' : formatPercent(c.accuracy)}
                        {c.loss !== null && <span className="text-slate-600 dark:text-slate-400"> · loss {c.loss.toFixed(3)}</span>}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </div>
  );
}
