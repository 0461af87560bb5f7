'use client';

import { useMemo } from 'react';
import { EMBED_HEADINGS } from '@/lib/content/embed-headings';
import { StackedBars } from '@/components/charts/StackedBars';
import { formatCompact, formatCount, formatGB, formatPercent } from '@/components/format';
import { cleanMessage } from '@/lib/peft/input';
import { lookupModel } from '@/lib/peft/models';
import { MethodUnavailable } from '@/components/content/MethodUnavailable';
import { METHODS, lookupPeftMethod } from '@/lib/peft/registry';
import { gpuBytes } from '@/lib/peft/cost/fits';
import type { Estimate } from '@/lib/peft/estimate';
import { MEMORY_SEGMENTS, memoryValues } from './memory-segments';
import { GpuField, INPUT, ModelField, SetupFields } from './SetupFields';
import { WhatFitsPanel } from './WhatFitsPanel';
import { ConfigPaste } from './ConfigPaste';
import { HyperField } from './HyperField';
import { PeftSnippet } from './PeftSnippet';
import { useCustomModel } from './custom-model';
import { DEFAULT_MODEL, defaultQuery, evaluateQuery } from './query';
import { useCalculatorQuery } from './useCalculatorQuery';

/**
 * Trainable parameters and training memory of a method on a real model, recomputed on every
 * keystroke from lib/peft (pure functions); the state lives in the URL query.
 * With `method` set it belongs to that method's page; without, the reader picks the method.
 */
export function Calculator({ method: fixedMethod }: { method?: string }) {
  if (fixedMethod !== undefined) {
    const found = lookupPeftMethod(fixedMethod);
    if ('error' in found) return <MethodUnavailable what="calculator" message={found.error} />;
  }
  return <MethodCalculator fixedMethod={fixedMethod} />;
}

const SCALE_WORDS: Record<string, string> = { T: 'trillion', B: 'billion', M: 'million', K: 'thousand' };
/** 2.65e10 → "26.5 billion": a sentence reads better than "26.5 B". */
function countInWords(n: number): string {
  return formatCompact(n).replace(/ ([TBMK])$/, (_, unit: string) => ` ${SCALE_WORDS[unit]}`);
}

/** The chosen GPU's memory as a line on the chart, unless it is so much larger that the bars would shrink to slivers. */
function gpuMarker({ fits: { gpu }, memory, fullFineTuning }: Estimate): { value: number; label: string }[] {
  const capacity = gpuBytes(gpu);
  return capacity <= 2 * Math.max(memory.total, fullFineTuning.total) ? [{ value: capacity, label: `${gpu.name} (${gpu.gib} GiB)` }] : [];
}

/** The box's heading id: a page's table of contents links to it (lib/content/embed-headings.ts). */
const HEADING_ID = EMBED_HEADINGS.Calculator.id;

function MethodCalculator({ fixedMethod }: { fixedMethod: string | undefined }) {
  const fixed = fixedMethod !== undefined;
  const initial = useMemo(() => defaultQuery(fixedMethod ?? 'lora'), [fixedMethod]);
  const { query, update, setSetting } = useCalculatorQuery(initial, fixed);

  const custom = useCustomModel(query.arch);
  const customModel = custom.state === 'ready' ? custom.model : null;
  const result = useMemo(
    (): ReturnType<typeof evaluateQuery> | { pending: true } => (custom.state === 'loading' ? { pending: true as const } : custom.state === 'error' ? { error: cleanMessage(custom.error) } : evaluateQuery(query, customModel)),
    [query, custom],
  );
  const error = 'error' in result ? result.error : null;
  // A method id from the URL may be unknown or not built yet: then only the picker and the reason show.
  const found = lookupPeftMethod(query.method);
  const method = 'method' in found ? found.method : null;
  const foundModel = lookupModel(query.model);
  const model = customModel ?? ('model' in foundModel ? foundModel.model : null);
  const encoderDecoder = model !== null && model.arch.stacks.some((s) => s.kind === 'encoder') && model.arch.stacks.some((s) => s.kind === 'decoder');
  const setHyper = (key: string, value: string) => update({ hyper: { ...query.hyper, [key]: value } });

  return (
    <section data-testid="calculator" aria-labelledby={HEADING_ID} className="not-prose @container my-8 min-w-0 rounded-xl border border-slate-200 p-4 sm:p-6 dark:border-slate-700">
      <h2 id={HEADING_ID} className="text-xl font-semibold">
        {fixed && method ? `${method.name} on a real model: parameters and memory` : 'Parameters and training memory'}
        {fixed && (
          <a className="heading-anchor" href={`#${HEADING_ID}`} aria-hidden="true" tabIndex={-1}>
            #
          </a>
        )}
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Exact trainable-parameter counts and an estimate of training memory, computed in your browser.{' '}
        <a className="underline" href="/about/cost-model/">
          How it is computed
        </a>
        .
      </p>

      {/* Side by side when the box is wide (the /calculator/ page), one above the other in a text column. */}
      <div className="mt-4 grid grid-cols-1 gap-x-8 gap-y-6 @4xl:grid-cols-2">
        <div className="@container/form">
          <div className="grid grid-cols-1 gap-4 @md/form:grid-cols-2">
            <ModelField query={query} update={update} idPrefix="calc" custom={customModel} className="@md/form:col-span-2" />
            <ConfigPaste
              custom={custom}
              idPrefix="calc"
              onModel={(arch, id) => update({ arch, model: arch !== '' || 'model' in lookupModel(id) ? id : DEFAULT_MODEL })}
            />
            {!fixed && (
              <label className="flex min-w-0 flex-col gap-1 text-sm">
                <span className="font-medium">Method</span>
                <select data-testid="calc-method" className={INPUT} value={query.method} onChange={(e) => update({ method: e.target.value, hyper: {} })}>
                  {!method && (
                    <option value={query.method} disabled>
                      Choose a method
                    </option>
                  )}
                  {METHODS.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {method?.hyperparams.filter((h) => !h.toyOnly).map((h) => (
              <HyperField
                key={h.key}
                h={h}
                // A module list shows the targets the method resolved for this model until the reader types one.
                value={query.hyper[h.key] ?? (h.kind === 'modules' && 'estimate' in result ? String(result.estimate.config[h.key]) : 'default' in h ? String(h.default) : '')}
                onChange={(v) => setHyper(h.key, v)}
                arch={model?.arch ?? null}
                invalid={error !== null && error.startsWith(`${h.label} `)}
                errorId="calc-error"
              />
            ))}
            <SetupFields query={query} setSetting={setSetting} idPrefix="calc" error={error} errorId="calc-error" encoderDecoder={encoderDecoder}>
              <GpuField value={query.gpu} onChange={(gpu) => update({ gpu })} idPrefix="calc" invalid={error?.startsWith('GPU ') ?? false} errorId="calc-error" />
            </SetupFields>
          </div>
        </div>

        {'pending' in result ? (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
            Reading the model’s config.json…
          </p>
        ) : !method || 'error' in result ? (
          <p role="alert" id="calc-error" data-testid="calc-error" className="text-sm font-medium text-red-700 dark:text-red-400">
            {'error' in result ? result.error : ''}
          </p>
        ) : (
          <div className="@container/results min-w-0 text-sm">
            <dl className="grid grid-cols-1 gap-3 @xl/results:grid-cols-3">
              <div>
                <dt className="text-xs text-slate-600 dark:text-slate-400">Trainable parameters</dt>
                <dd className="font-mono text-base">
                  <span data-testid="calc-trainable" data-value={result.estimate.trainable}>
                    {formatCount(result.estimate.trainable)}
                  </span>{' '}
                  <span className="text-slate-600 dark:text-slate-400">({formatPercent(result.estimate.trainable / result.estimate.total)} of {formatCompact(result.estimate.total)})</span>
                </dd>
                {method.traits.countNote && (
                  <dd data-testid="calc-count-note" className="text-xs text-slate-600 dark:text-slate-400">
                    {method.traits.countNote(result.estimate.config)}
                  </dd>
                )}
                {result.estimate.peftTotal !== result.estimate.total && (
                  <dd className="text-xs text-slate-600 dark:text-slate-400">
                    HF PEFT prints all params:{' '}
                    <span data-testid="calc-peft-total" data-value={result.estimate.peftTotal} className="font-mono">
                      {formatCount(result.estimate.peftTotal)}
                    </span>{' '}
                    (base plus added; trainable {formatPercent(result.estimate.trainable / result.estimate.peftTotal)})
                  </dd>
                )}
                {result.estimate.saved !== result.estimate.trainable && (
                  <dd className="text-xs text-slate-600 dark:text-slate-400">
                    Saved after training:{' '}
                    <span data-testid="calc-saved" data-value={result.estimate.saved} className="font-mono">
                      {formatCount(result.estimate.saved)}
                    </span>
                  </dd>
                )}
              </div>
              <div>
                <dt className="text-xs text-slate-600 dark:text-slate-400">Training memory (estimate)</dt>
                <dd data-testid="calc-memory" data-value={result.estimate.memory.total} className="font-mono text-base">
                  {formatGB(result.estimate.memory.total)}
                  {result.estimate.setup.gpus > 1 && <span className="text-xs text-slate-600 dark:text-slate-400"> per GPU</span>}
                </dd>
                {result.estimate.memory.cpu > 0 && (
                  <dd className="text-xs text-slate-600 dark:text-slate-400">
                    Plus{' '}
                    <span data-testid="calc-cpu-memory" data-value={result.estimate.memory.cpu} className="font-mono">
                      {formatGB(result.estimate.memory.cpu)}
                    </span>{' '}
                    of CPU memory (offloaded)
                  </dd>
                )}
                {result.estimate.memory.pageable > 0 && (
                  <dd data-testid="calc-pageable" data-value={result.estimate.memory.pageable} className="text-xs text-slate-600 dark:text-slate-400">
                    Of it, {formatGB(result.estimate.memory.pageable)} of optimizer state is paged: the driver moves it to CPU memory when the GPU runs short.
                  </dd>
                )}
              </div>
              <div>
                <dt className="text-xs text-slate-600 dark:text-slate-400">Saved checkpoint (trained part)</dt>
                <dd data-testid="calc-checkpoint" className="font-mono text-base">
                  {formatGB(result.estimate.checkpointBytes)}
                </dd>
              </div>
            </dl>
            <WhatFitsPanel estimate={result.estimate} idPrefix="calc" />
            <p className="mt-3 text-slate-700 dark:text-slate-300">
              Training compute: about {countInWords(result.estimate.flopsPerToken)} floating-point operations per token. At inference:{' '}
              {result.estimate.inference.mergeable
                ? 'merges into the weights, no extra cost.'
                : result.estimate.inference.extraFlopsShare > 0
                  ? `about ${formatPercent(result.estimate.inference.extraFlopsShare)} more compute per token (${result.estimate.inference.kind === 'longer-input' ? 'a longer input' : 'extra modules'}).`
                  : 'no extra cost.'}
            </p>
            <div className="mt-4">
              <StackedBars
                title={`Estimated training memory of ${method.name} and of full fine-tuning on ${result.estimate.model.name}`}
                segments={MEMORY_SEGMENTS}
                format={formatGB}
                markers={gpuMarker(result.estimate)}
                bars={[
                  { label: method.name, values: memoryValues(result.estimate.memory) },
                  ...(method.id === 'full-fine-tuning' ? [] : [{ label: 'Full fine-tuning', values: memoryValues(result.estimate.fullFineTuning) }]),
                ]}
              />
            </div>
            <PeftSnippet estimate={result.estimate} idPrefix="calc" />
          </div>
        )}
      </div>
    </section>
  );
}
