'use client';

import { formatCount } from '@/components/format';
import { OPTIMIZERS, PRECISIONS } from '@/lib/peft/cost/memory';
import { MODEL_CHOICES, lookupModel } from '@/lib/peft/models';
import type { CalculatorQuery } from './query';

export const INPUT = 'w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600';
const OPTIMIZER_LABELS: Record<string, string> = { adamw: 'AdamW', 'adamw-8bit': '8-bit AdamW', sgd: 'SGD', 'sgd-momentum': 'SGD with momentum', adafactor: 'Adafactor' };
const PRECISION_LABELS: Record<string, string> = { fp32: 'fp32', bf16: 'bf16 (mixed precision)', fp16: 'fp16 (mixed precision)', int8: 'int8 base weights', nf4: '4-bit NF4 base weights (QLoRA)' };

/** The training-setup controls the calculator and the compare page share; `idPrefix` names their test ids. */
export function SetupFields({ query, update, idPrefix }: { query: CalculatorQuery; update: (patch: Partial<CalculatorQuery>) => void; idPrefix: string }) {
  return (
    <>
      <label className="flex min-w-0 flex-col gap-1 text-sm">
        <span className="font-medium">Batch size</span>
        <input data-testid={`${idPrefix}-batch`} inputMode="numeric" className={INPUT} value={query.batch} onChange={(e) => update({ batch: e.target.value })} />
      </label>
      <label className="flex min-w-0 flex-col gap-1 text-sm">
        <span className="font-medium">Sequence length</span>
        <input data-testid={`${idPrefix}-seq`} inputMode="numeric" className={INPUT} value={query.seq} onChange={(e) => update({ seq: e.target.value })} />
      </label>
      <label className="flex min-w-0 flex-col gap-1 text-sm">
        <span className="font-medium">Precision</span>
        <select data-testid={`${idPrefix}-precision`} className={INPUT} value={query.precision} onChange={(e) => update({ precision: e.target.value })}>
          {PRECISIONS.map((p) => (
            <option key={p} value={p}>
              {PRECISION_LABELS[p] ?? p}
            </option>
          ))}
        </select>
      </label>
      <label className="flex min-w-0 flex-col gap-1 text-sm">
        <span className="font-medium">Optimizer</span>
        <select data-testid={`${idPrefix}-optimizer`} className={INPUT} value={query.optimizer} onChange={(e) => update({ optimizer: e.target.value })}>
          {OPTIMIZERS.map((o) => (
            <option key={o} value={o}>
              {OPTIMIZER_LABELS[o] ?? o}
            </option>
          ))}
        </select>
      </label>
      <div className="flex min-w-0 flex-col gap-1 text-sm">
        <label className="inline-flex items-center gap-2 font-medium">
          <input
            type="checkbox"
            data-testid={`${idPrefix}-checkpointing`}
            aria-describedby={`${idPrefix}-checkpointing-help`}
            checked={query.checkpointing}
            onChange={(e) => update({ checkpointing: e.target.checked })}
          />
          Gradient checkpointing
        </label>
        <span id={`${idPrefix}-checkpointing-help`} className="text-xs text-slate-600 dark:text-slate-400">
          Keeps only each layer&apos;s input and recomputes the rest in the backward pass: far less activation memory, more compute.
        </span>
      </div>
    </>
  );
}

/** A searchable model picker (the browser's own suggestions over every model id). */
export function ModelField({ query, update, idPrefix, className = '' }: { query: CalculatorQuery; update: (patch: Partial<CalculatorQuery>) => void; idPrefix: string; className?: string }) {
  const found = lookupModel(query.model);
  const model = 'model' in found ? found.model : null;
  return (
    <label className={`flex min-w-0 flex-col gap-1 text-sm ${className}`}>
      <span className="font-medium">Model</span>
      <input data-testid={`${idPrefix}-model`} list={`${idPrefix}-models`} className={INPUT} value={query.model} onChange={(e) => update({ model: e.target.value })} />
      <datalist id={`${idPrefix}-models`}>
        {MODEL_CHOICES.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </datalist>
      <span className="text-xs text-slate-600 dark:text-slate-400">{model ? `${model.name}: ${formatCount(model.publishedTotal)} parameters` : 'Type a Hugging Face id or a name (Llama 2 7B) to search the models.'}</span>
    </label>
  );
}
