'use client';

import { useMemo, useState } from 'react';
import { ScatterChart } from '@/components/charts/ScatterChart';
import { formatCompact, formatCount, formatGB, formatPercent } from '@/components/format';
import { LOW_RANK_TARGETS, type LowRankRow, type LowRankTargets, compareLowRank } from '@/lib/peft/compare';
import type { TrainingSetup } from '@/lib/peft/cost/setup';
import { cleanMessage } from '@/lib/peft/input';
import type { ModelInfo } from '@/lib/peft/models';

const TARGET_LABELS: Record<LowRankTargets, string> = {
  defaults: 'each method’s default modules',
  'lora-defaults': 'LoRA’s default modules for all',
  'all-linear': 'every linear map of the blocks',
};

/** Serving memory of unmerged adapter tensors, held in 16 bits. */
const SERVED_BYTES = 2;

interface Props {
  model: string | ModelInfo;
  setup: TrainingSetup;
  gpu: string;
  arch: string;
}

/** What serving the method keeps beside the base model, merged and not, in words. */
function atInference(r: LowRankRow): string {
  const { method } = r.estimate;
  const unmerged = `unmerged: ${formatCount(r.unmerged.params)} scalars (${formatGB(SERVED_BYTES * r.unmerged.params)} in 16 bits) beside the base, +${formatPercent(r.unmerged.flopsShare)} compute per token`;
  const general = method.traits.inference === 'mergeable' ? `Merged: nothing beyond the base model; ${unmerged}.` : `Cannot be merged; ${unmerged}.`;
  return method.traits.atInference ? `${general} ${method.traits.atInference}` : general;
}

/**
 * The low-rank reparametrizations on one chart at one rank (and, if asked, on the same modules):
 * trainable parameters against training memory, then a table with what each keeps at inference.
 */
export function LowRankFamily({ model, setup, gpu, arch }: Props) {
  const [rankText, setRankText] = useState('8');
  const [targets, setTargets] = useState<LowRankTargets>('lora-defaults');
  const rank = Number(rankText);
  const rankError = rankText.trim() === '' || !Number.isInteger(rank) || rank < 1 ? 'The rank must be a whole number of at least 1.' : null;
  const result = useMemo((): { rows: LowRankRow[] } | { error: string } => {
    if (rankError) return { error: rankError };
    try {
      return { rows: compareLowRank(model, setup, { rank, targets }, gpu, arch) };
    } catch (err) {
      return { error: cleanMessage(err instanceof Error ? err.message : String(err)) };
    }
  }, [model, setup, rank, targets, gpu, arch, rankError]);
  const rows = 'rows' in result ? result.rows : [];
  const shown = rows.filter((r) => r.error === null);
  const refused = rows.filter((r) => r.error !== null);

  return (
    <section data-testid="low-rank" aria-labelledby="low-rank-heading" className="mt-12">
      <h2 id="low-rank-heading" className="text-xl font-semibold">
        The low-rank family at one rank
      </h2>
      <p className="mt-2 max-w-measure text-sm text-slate-700 dark:text-slate-300">
        Every method whose update has a rank setting, set to the same rank: what it trains against what training takes on this model and setup. Methods
        whose setting is not a rank (OFT’s blocks, BOFT’s butterfly factors, KronA’s factor shapes) are in the table above at their defaults.
      </p>
      <div className="mt-4 flex flex-wrap items-end gap-4">
        <label className="flex flex-col text-sm font-medium">
          Rank r
          <input
            type="text"
            inputMode="numeric"
            value={rankText}
            onChange={(e) => setRankText(e.target.value)}
            aria-invalid={rankError !== null}
            aria-describedby={rankError ? 'low-rank-error' : undefined}
            className="mt-1 w-24 rounded border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-600 dark:bg-slate-900"
          />
        </label>
        <label className="flex flex-col text-sm font-medium">
          Modules
          <select
            value={targets}
            onChange={(e) => setTargets(e.target.value as LowRankTargets)}
            className="mt-1 rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
          >
            {LOW_RANK_TARGETS.map((t) => (
              <option key={t} value={t}>
                {TARGET_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {'error' in result ? (
        <p role="alert" id="low-rank-error" className="mt-3 text-sm font-medium text-red-700 dark:text-red-400">
          {result.error}
        </p>
      ) : (
        <>
          <div className="mt-6">
            <ScatterChart
              title={`Trainable parameters against estimated training memory, rank ${rank}`}
              points={shown.map((r) => ({ label: r.estimate.method.name, x: r.estimate.trainable, y: r.estimate.memory.total }))}
              xLabel="Trainable parameters (log scale)"
              yLabel="Training memory"
              formatX={formatCompact}
              formatY={formatGB}
            />
          </div>
          <div className="relative mt-6 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">The low-rank family at rank {rank}: trainable parameters, training memory and what stays in memory at inference</caption>
              <thead>
                <tr className="border-b border-slate-200 dark:border-slate-700">
                  <th scope="col" className="py-2 pr-4">
                    Method
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Trainable
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Training memory
                  </th>
                  {/* On a phone the sentence gets a row of its own under its method. */}
                  <th scope="col" className="hidden min-w-[16rem] py-2 sm:table-cell">
                    At inference
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => [
                  <tr key={r.estimate.method.id} data-family-method={r.estimate.method.id} className="align-top sm:border-b sm:border-slate-100 sm:dark:border-slate-800">
                    <td className="py-2 pr-4">
                      <a className="underline" href={r.calculatorHref}>
                        {r.estimate.method.name}
                      </a>
                    </td>
                    <td className="py-2 pr-4 font-mono whitespace-nowrap" data-value={r.estimate.trainable}>
                      {formatCount(r.estimate.trainable)}
                    </td>
                    <td className="py-2 pr-4 font-mono whitespace-nowrap">{formatGB(r.estimate.memory.total)}</td>
                    <td className="hidden py-2 text-slate-700 sm:table-cell dark:text-slate-300">{atInference(r)}</td>
                  </tr>,
                  <tr key={`${r.estimate.method.id}-inference`} className="border-b border-slate-100 sm:hidden dark:border-slate-800">
                    <td colSpan={3} className="pb-3 text-xs text-slate-700 dark:text-slate-300">
                      {atInference(r)}
                    </td>
                  </tr>,
                ])}
              </tbody>
            </table>
          </div>
          {refused.length > 0 ? (
            <ul className="mt-3 list-disc pl-5 text-sm text-slate-600 dark:text-slate-400" data-testid="low-rank-refused">
              {refused.map((r) => (
                <li key={r.estimate.method.id}>
                  {r.estimate.method.name}: {r.error}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  );
}
