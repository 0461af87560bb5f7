'use client';

import { formatBytes, formatCount, formatPercent } from '@/components/format';
import { findPeftMethod } from '@/lib/peft/registry';
import type { BackendName } from '@/lib/peft/train/protocol';
import type { RankedResult } from './race-lanes';

export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

const STATUS_WORDS = { finished: 'finished', stopped: 'stopped', error: 'failed' } as const;

/**
 * The race's final table, ranked: the same view for a race just run and for one read from a
 * shared link. `total` is the toy model's parameter count.
 */
export function RaceTable({ rows, total, target, caption }: { rows: readonly RankedResult[]; total: number; target: number; caption: string }) {
  return (
    <div className="overflow-x-auto">
      <table data-testid="race-results" className="w-full min-w-[36rem] text-left text-sm">
        <caption className="mb-2 text-left text-sm text-slate-700 dark:text-slate-300">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-300 dark:border-slate-600">
            <th scope="col" className="py-1 pr-3">
              #
            </th>
            <th scope="col" className="py-1 pr-3">
              Method
            </th>
            <th scope="col" className="py-1 pr-3 text-right">
              Final exact match
            </th>
            <th scope="col" className="py-1 pr-3 text-right">
              Time to {formatPercent(target)}
            </th>
            <th scope="col" className="py-1 pr-3 text-right">
              ms/step (median)
            </th>
            <th scope="col" className="py-1 pr-3 text-right">
              Trainable parameters
            </th>
            <th scope="col" className="py-1 text-right">
              Peak tensor memory
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.method} data-testid="race-result-row" data-method={r.method} className="border-b border-slate-100 align-top dark:border-slate-800">
              <td className="py-1 pr-3 font-mono">{r.rank}</td>
              <th scope="row" className="py-1 pr-3 font-medium">
                {findPeftMethod(r.method).name}
                <span className="block text-xs font-normal text-slate-600 dark:text-slate-400">
                  {STATUS_WORDS[r.status]}
                  {r.status !== 'finished' && ` at step ${r.steps}`}
                  {r.backend && ` · ${BACKEND_LABELS[r.backend]}`}
                </span>
              </th>
              <td data-testid="race-result-accuracy" data-value={r.accuracy ?? ''} className="py-1 pr-3 text-right font-mono">
                {r.accuracy === null ? '–' : formatPercent(r.accuracy)}
              </td>
              <td data-testid="race-result-target" data-value={r.targetSeconds ?? ''} className="py-1 pr-3 text-right font-mono">
                {r.targetSeconds === null || r.targetStep === null ? (
                  <span className="font-sans text-slate-600 dark:text-slate-400">not reached</span>
                ) : (
                  <>
                    {r.targetSeconds.toFixed(1)} s<span className="block text-xs text-slate-600 dark:text-slate-400">step {r.targetStep}</span>
                  </>
                )}
              </td>
              <td data-testid="race-result-ms" data-value={r.msPerStep ?? ''} className="py-1 pr-3 text-right font-mono">
                {r.msPerStep === null ? '–' : r.msPerStep.toFixed(1)}
              </td>
              <td data-testid="race-result-trainable" data-value={r.trainable ?? ''} className="py-1 pr-3 text-right font-mono">
                {r.trainable === null ? (
                  '–'
                ) : (
                  <>
                    {formatCount(r.trainable)}
                    <span className="block text-xs text-slate-600 dark:text-slate-400">{formatPercent(r.trainable / total)}</span>
                  </>
                )}
              </td>
              <td data-testid="race-result-peak" data-value={r.peakBytes ?? ''} className="py-1 text-right font-mono">
                {r.peakBytes === null ? '–' : formatBytes(r.peakBytes)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
