'use client';

import { useMemo, useState } from 'react';
import { LogBars } from '@/components/charts/LogBars';
import { StackedBars } from '@/components/charts/StackedBars';
import { LowRankFamily } from '@/components/compare/LowRankFamily';
import { MEMORY_SEGMENTS, memoryValues } from '@/components/calculator/memory-segments';
import { ConfigPaste } from '@/components/calculator/ConfigPaste';
import { useCustomModel } from '@/components/calculator/custom-model';
import { DEFAULT_MODEL, defaultQuery } from '@/components/calculator/query';
import { useCalculatorQuery } from '@/components/calculator/useCalculatorQuery';
import { GpuField, ModelField, SetupFields } from '@/components/calculator/SetupFields';
import { formatCompact, formatCount, formatGB, formatPercent } from '@/components/format';
import { compareMethods, type CompareRow } from '@/lib/peft/compare';
import { GPUS } from '@/lib/peft/cost/fits';
import { cleanMessage, setupFromText } from '@/lib/peft/input';
import { lookupModel } from '@/lib/peft/models';


type SortKey = 'method' | 'trainable' | 'memory' | 'checkpoint' | 'flops';
const COLUMNS: { key: SortKey; label: string; value: (r: CompareRow) => number | string }[] = [
  { key: 'method', label: 'Method', value: (r) => r.estimate.method.name },
  { key: 'trainable', label: 'Trainable parameters', value: (r) => r.estimate.trainable },
  { key: 'memory', label: 'Training memory (estimate)', value: (r) => r.estimate.memory.total },
  { key: 'checkpoint', label: 'Saved checkpoint', value: (r) => r.estimate.checkpointBytes },
  { key: 'flops', label: 'Training compute (FLOPs per token)', value: (r) => r.estimate.flopsPerToken },
];

/** A row's hyperparameters by their labels ("Rank r: 8 · Alpha α: 16 · …"), the first three; the calculator link shows all. */
function settingsInWords({ estimate: { method, config } }: CompareRow): string {
  const counted = method.hyperparams.filter((h) => !h.toyOnly);
  const shown = counted.slice(0, 3).map((h) => {
    const value = config[h.key];
    const text = h.kind === 'choice' ? (h.options.find((o) => o.value === value)?.label ?? String(value)) : Array.isArray(value) ? value.join(', ') : String(value);
    return `${h.label}: ${text}`;
  });
  const more = counted.length - shown.length;
  if (shown.length === 0) return 'no hyperparameters';
  return shown.join(' · ') + (more > 0 ? ` · ${more} more in the calculator` : '');
}

/** The method column stays in view while the numbers scroll sideways on a phone. */
const STICKY = 'sticky left-0 z-10 min-w-[8.5rem] bg-white dark:bg-slate-950';

/** Every implemented method on one model and training setup, side by side; state in the URL. */
export function CompareMethods() {
  const initial = useMemo(() => defaultQuery('lora'), []);
  const { query, update, setSetting } = useCalculatorQuery(initial, true);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'trainable', descending: false });

  const custom = useCustomModel(query.arch);
  const customModel = custom.state === 'ready' ? custom.model : null;
  const result = useMemo((): { rows: CompareRow[] } | { error: string } | { pending: true } => {
    if (custom.state === 'loading') return { pending: true };
    if (custom.state === 'error') return { error: cleanMessage(custom.error) };
    try {
      return { rows: compareMethods(custom.state === 'ready' ? custom.model : query.model, setupFromText(query.setup), query.gpu, query.arch) };
    } catch (err) {
      return { error: cleanMessage(err instanceof Error ? err.message : String(err)) };
    }
  }, [query, custom]);
  const error = 'error' in result ? result.error : null;
  const found = lookupModel(query.model);
  const model = customModel ?? ('model' in found ? found.model : null);
  const encoderDecoder = model !== null && model.arch.stacks.some((s) => s.kind === 'encoder') && model.arch.stacks.some((s) => s.kind === 'decoder');
  const gpuName = GPUS.find((g) => g.id === query.gpu)?.name ?? query.gpu;

  const rows = useMemo(() => {
    if (!('rows' in result)) return [];
    const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0]!;
    const sorted = [...result.rows].sort((a, b) => {
      const [x, y] = [column.value(a), column.value(b)];
      return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    });
    return sort.descending ? sorted.reverse() : sorted;
  }, [result, sort]);
  const modelName = rows[0]?.estimate.model.name ?? query.model;
  const applicable = rows.filter((r) => r.estimate.notApplicable === null);

  return (
    <div data-testid="compare" className="min-w-0">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <ModelField query={query} update={update} idPrefix="compare" custom={customModel} className="sm:col-span-3" />
        <ConfigPaste custom={custom} idPrefix="compare" onModel={(arch, id) => update({ arch, model: arch !== '' || 'model' in lookupModel(id) ? id : DEFAULT_MODEL })} />
        <SetupFields query={query} setSetting={setSetting} idPrefix="compare" error={error} errorId="compare-error" encoderDecoder={encoderDecoder}>
          <GpuField value={query.gpu} onChange={(gpu) => update({ gpu })} idPrefix="compare" invalid={error?.startsWith('GPU ') ?? false} errorId="compare-error" />
        </SetupFields>
      </div>

      {'pending' in result ? (
        <p role="status" className="mt-4 text-sm text-slate-600 dark:text-slate-400">
          Reading the model’s config.json…
        </p>
      ) : 'error' in result ? (
        <p role="alert" id="compare-error" data-testid="compare-error" className="mt-4 text-sm font-medium text-red-700 dark:text-red-400">
          {result.error}
        </p>
      ) : (
        <>
          {/* The note sits outside the scrolling box so it wraps to the screen instead of being clipped with the table. */}
          <p id="compare-note" className="mt-6 text-sm text-slate-600 dark:text-slate-400">
            Each method at its default hyperparameters; open a method in the calculator to change them. Sort by any column.
          </p>
          {/* relative: the cells' screen-reader text (position: absolute) stays inside the scrolling box. */}
          <div className="relative mt-2 overflow-x-auto">
            <table data-testid="compare-table" className="w-full text-left text-sm" aria-describedby="compare-note">
              <caption className="sr-only">Every implemented method on {modelName}</caption>
              <thead>
                <tr className="border-b border-slate-200 dark:border-slate-700">
                  {COLUMNS.map((c, i) => (
                    <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'} className={`py-2 pr-4 align-bottom ${i === 0 ? STICKY : ''}`}>
                      <button type="button" className="text-left font-semibold underline-offset-2 hover:underline" onClick={() => setSort((s) => ({ key: c.key, descending: s.key === c.key ? !s.descending : false }))}>
                        {c.label}
                        {sort.key === c.key ? (sort.descending ? ' ↓' : ' ↑') : ''}
                      </button>
                    </th>
                  ))}
                  <th scope="col" className="py-2 pr-4 align-bottom">
                    Fits on {gpuName}
                  </th>
                  <th scope="col" className="py-2 align-bottom">
                    Cost at inference
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.estimate.method.id} data-method={r.estimate.method.id} className="border-b border-slate-100 dark:border-slate-800">
                    <td className={`py-2 pr-4 ${STICKY}`}>
                      <a className="underline" href={r.calculatorHref}>
                        {r.estimate.method.name}
                      </a>
                      {/* On a phone the method column stays narrow; the calculator link has the settings. */}
                      <div className="hidden max-w-xs text-xs text-slate-600 sm:block dark:text-slate-400">{settingsInWords(r)}</div>
                    </td>
                    {r.estimate.notApplicable !== null ? (
                      // A count of 0 and a 0-byte checkpoint would read as results: the reason stands in for them.
                      <td colSpan={COLUMNS.length + 1} data-testid="compare-not-applicable" className="py-2 text-slate-600 dark:text-slate-400">
                        Does not apply: {r.estimate.notApplicable}
                      </td>
                    ) : (
                      <>
                        <td className="py-2 pr-4 font-mono whitespace-nowrap" data-value={r.estimate.trainable}>
                          {formatCount(r.estimate.trainable)} <span className="text-slate-600 dark:text-slate-400">({formatPercent(r.estimate.trainable / r.estimate.total)})</span>
                        </td>
                        <td className="py-2 pr-4 font-mono whitespace-nowrap" data-value={r.estimate.memory.total}>
                          {formatGB(r.estimate.memory.total)}
                        </td>
                        <td className="py-2 pr-4 font-mono whitespace-nowrap">{formatGB(r.estimate.checkpointBytes)}</td>
                        <td className="py-2 pr-4 font-mono whitespace-nowrap">{formatCompact(r.estimate.flopsPerToken)}</td>
                        <td className="py-2 pr-4 whitespace-nowrap" data-testid="compare-fits" data-value={r.estimate.fits.fits}>
                          {r.estimate.fits.fits ? `✓ up to batch ${formatCount(r.estimate.fits.maxBatchSize)}` : '✗'}
                          <span className="sr-only">{r.estimate.fits.fits ? ' (fits)' : ' (does not fit)'}</span>
                        </td>
                        <td className="py-2">{r.estimate.inference.mergeable ? 'none after merging' : r.estimate.inference.extraFlopsShare > 0 ? `+${formatPercent(r.estimate.inference.extraFlopsShare)} compute` : 'none'}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="mt-8 grid grid-cols-1 gap-x-10 gap-y-8 lg:grid-cols-2">
            <div>
              <h2 className="mb-3 text-base font-semibold">Trainable parameters (log scale)</h2>
              <LogBars title="Trainable parameters per method, log scale" color="#2563eb" format={formatCompact} bars={applicable.map((r) => ({ label: r.estimate.method.name, value: r.estimate.trainable }))} />
            </div>
            <div>
              <h2 className="mb-3 text-base font-semibold">Training memory (estimate)</h2>
              <StackedBars title="Estimated training memory per method" segments={MEMORY_SEGMENTS} format={formatGB} bars={applicable.map((r) => ({ label: r.estimate.method.name, values: memoryValues(r.estimate.memory) }))} />
            </div>
          </div>
          {rows[0] ? <LowRankFamily model={customModel ?? query.model} setup={rows[0].estimate.setup} gpu={query.gpu} arch={query.arch} /> : null}
        </>
      )}
    </div>
  );
}
