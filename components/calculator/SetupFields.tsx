'use client';

import { type ReactNode, useEffect, useState } from 'react';
import { formatCount } from '@/components/format';
import { GPUS } from '@/lib/peft/cost/fits';
import { SETUP_FIELDS, SETUP_LABELS, type SetupField } from '@/lib/peft/cost/setup';
import { isBooleanText, numberFromText, readBoolean } from '@/lib/peft/input';
import { MODEL_CHOICES, type ModelInfo, lookupModel } from '@/lib/peft/models';
import { DEFAULT_SETUP_TEXT, settingOfError, type CalculatorQuery } from './query';

export const INPUT = 'w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 aria-invalid:border-red-600 dark:border-slate-600 dark:aria-invalid:border-red-400';
const HELP = 'text-xs text-slate-600 dark:text-slate-400';

/** The settings shown without opening "More settings": the ones most runs change. */
const MAIN_KEYS = ['batch', 'seq', 'task', 'labels', 'precision', 'recipe', 'optimizer', 'checkpointing'];

/** Whether a setting means anything for this setup; one that does not is hidden unless it is the invalid one. */
function applies(key: string, setup: Readonly<Record<string, string>>, encoderDecoder: boolean): boolean {
  if (key === 'labels') return setup.task?.trim() === 'classification';
  if (key === 'target') return encoderDecoder;
  // CPU offload also helps a single GPU (ZeRO-Offload), so a chosen sharding or offload stays in view.
  if (key === 'sharding' || key === 'offload') return numberFromText(setup.gpus ?? '') > 1 || setup.sharding !== DEFAULT_SETUP_TEXT.sharding || setup.offload !== DEFAULT_SETUP_TEXT.offload;
  return true;
}

interface FieldsProps {
  query: CalculatorQuery;
  setSetting: (key: string, value: string) => void;
  idPrefix: string;
  /** The message evaluateQuery gave, if any: the setting it names is marked invalid. */
  error: string | null;
  /** The id of the element showing `error`, which an invalid field points to. */
  errorId: string;
  /** Whether the model has an encoder and a decoder (then the target length applies). */
  encoderDecoder: boolean;
  /** Shown after the common settings, before "More settings" (the GPU picker). */
  children?: ReactNode;
}

/**
 * The training-setup controls the calculator and the compare page share, one per SETUP_FIELDS
 * entry in its order: the common ones in view, the rest behind "More settings", which opens by
 * itself when any of them is set or invalid. `idPrefix` names their test ids (`calc-batch`).
 */
export function SetupFields({ query, setSetting, idPrefix, error, errorId, encoderDecoder, children }: FieldsProps) {
  const invalidKey = error === null ? null : settingOfError(error, query.setup);
  const shown = SETUP_FIELDS.filter((f) => f.key === invalidKey || applies(f.key, query.setup, encoderDecoder));
  const main = shown.filter((f) => MAIN_KEYS.includes(f.key));
  const more = shown.filter((f) => !MAIN_KEYS.includes(f.key));
  const moreIsSet = more.some((f) => f.key === invalidKey || query.setup[f.key] !== DEFAULT_SETUP_TEXT[f.key]);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (moreIsSet) setOpen(true);
  }, [moreIsSet]);

  const render = (f: SetupField) => (
    <SettingInput key={f.key} field={f} value={query.setup[f.key] ?? ''} onChange={(v) => setSetting(f.key, v)} id={`${idPrefix}-${f.key}`} invalid={f.key === invalidKey} errorId={errorId} />
  );
  return (
    <>
      {main.map(render)}
      {children}
      <details data-testid={`${idPrefix}-more-settings`} open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="@container col-span-full text-sm">
        <summary className="cursor-pointer font-medium">More settings: attention, lengths, memory savers, GPUs</summary>
        <div className="mt-3 grid grid-cols-1 gap-4 @md:grid-cols-2 @3xl:grid-cols-3">{more.map(render)}</div>
      </details>
    </>
  );
}

function SettingInput({ field, value, onChange, id, invalid, errorId }: { field: SetupField; value: string; onChange: (v: string) => void; id: string; invalid: boolean; errorId: string }) {
  const helpId = `${id}-help`;
  const a11y = { 'aria-describedby': invalid ? `${helpId} ${errorId}` : helpId, 'aria-invalid': invalid || undefined };
  const help = (
    <span id={helpId} className={HELP}>
      {field.help}
    </span>
  );
  if (field.kind === 'boolean') {
    const on = isBooleanText(value) && readBoolean(field.label, value);
    return (
      <div className="flex min-w-0 flex-col gap-1 text-sm">
        <label className="inline-flex items-center gap-2 font-medium">
          <input type="checkbox" data-testid={id} {...a11y} checked={on} onChange={(e) => onChange(e.target.checked ? '1' : '0')} />
          {field.label}
        </label>
        {help}
      </div>
    );
  }
  let control;
  if (field.kind === 'choice') {
    const known = field.choices.includes(value.trim());
    control = (
      <select data-testid={id} className={INPUT} {...a11y} value={known ? value.trim() : value} onChange={(e) => onChange(e.target.value)}>
        {/* A value from the URL that is not a choice stays selected, so its message makes sense until it is replaced. */}
        {!known && (
          <option value={value} disabled>
            {value}
          </option>
        )}
        {field.choices.map((c) => (
          <option key={c} value={c}>
            {SETUP_LABELS[c as keyof typeof SETUP_LABELS] ?? c}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = field.kind === 'int' || field.kind === 'optional-int';
    control = (
      <input
        data-testid={id}
        className={`${INPUT} ${numeric ? '' : 'font-mono'}`}
        {...a11y}
        {...(numeric ? { inputMode: 'numeric' as const } : {})}
        placeholder={field.kind === 'optional-int' ? 'blank: not set' : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <label className="flex min-w-0 flex-col gap-1 text-sm">
      <span className="font-medium">{field.label}</span>
      {control}
      {help}
    </label>
  );
}

/** Memory sizes of the listed GPUs, smallest first, for the picker's groups. */
const GPU_SIZES = [...new Set(GPUS.map((g) => g.gib))];

/** The GPU "what fits" answers for, grouped by memory. */
export function GpuField({ value, onChange, idPrefix, invalid, errorId, className = '' }: { value: string; onChange: (id: string) => void; idPrefix: string; invalid: boolean; errorId: string; className?: string }) {
  const helpId = `${idPrefix}-gpu-help`;
  const known = GPUS.some((g) => g.id === value);
  return (
    <label className={`flex min-w-0 flex-col gap-1 text-sm ${className}`}>
      <span className="font-medium">GPU</span>
      <select
        data-testid={`${idPrefix}-gpu`}
        className={INPUT}
        aria-describedby={invalid ? `${helpId} ${errorId}` : helpId}
        aria-invalid={invalid || undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {!known && (
          <option value={value} disabled>
            {value}
          </option>
        )}
        {GPU_SIZES.map((gib) => (
          <optgroup key={gib} label={`${gib} GiB`}>
            {GPUS.filter((g) => g.gib === gib).map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <span id={helpId} className={HELP}>
        The card “what fits” checks; memory is compared per GPU.
      </span>
    </label>
  );
}

/** A searchable model picker (the browser's own suggestions over every model id). */
export function ModelField({
  query,
  update,
  idPrefix,
  custom = null,
  className = '',
}: {
  query: CalculatorQuery;
  update: (patch: Partial<CalculatorQuery>) => void;
  idPrefix: string;
  /** The model a pasted config.json describes, which the field then names. */
  custom?: ModelInfo | null;
  className?: string;
}) {
  const found = lookupModel(query.model);
  const model = 'model' in found ? found.model : null;
  const listId = `${idPrefix}-models`;
  return (
    <label className={`flex min-w-0 flex-col gap-1 text-sm ${className}`}>
      <span className="font-medium">Model</span>
      <input data-testid={`${idPrefix}-model`} list={listId} className={INPUT} value={query.model} onChange={(e) => update({ model: e.target.value, arch: '' })} />
      <datalist id={listId}>
        {MODEL_CHOICES.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </datalist>
      <span className={HELP}>
        {custom
          ? `From your config.json: ${formatCount(custom.publishedTotal)} parameters; typing here switches back to the listed models.`
          : model
            ? `${model.name}: ${formatCount(model.publishedTotal)} parameters`
            : 'Type a Hugging Face id or a name (Llama 2 7B) to search the models.'}
      </span>
    </label>
  );
}
