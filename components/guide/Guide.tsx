'use client';

import { useDeferredValue, useMemo } from 'react';
import { INPUT } from '@/components/calculator/SetupFields';
import { rankMethods, type ToyResults } from '@/lib/peft/guide';
import { MODEL_CHOICES } from '@/lib/peft/models';
import { GuideRanking } from './GuideRanking';
import { parseGuideQuery, type GuideFieldErrors, type GuideQuery } from './query';
import { useGuideQuery } from './useGuideQuery';

const HELP = 'text-xs text-slate-600 dark:text-slate-400';
const ERROR = 'text-xs font-medium text-red-700 dark:text-red-400';
/** Memory sizes of GPUs people fine-tune on (GiB), offered as suggestions; any number can be typed. */
const MEMORY_SUGGESTIONS = [8, 16, 24, 40, 48, 80, 141];

/**
 * "Which method fits?": the reader's model, GPU memory, number of served tasks and latency need,
 * kept in the URL; the ranking is computed in the browser by lib/peft/guide.ts (the calculator's
 * cost model), with the toy benchmark's results handed in from the server.
 */
export function Guide({ toy }: { toy: ToyResults }) {
  const { query, set } = useGuideQuery();
  const parsed = useMemo(() => parseGuideQuery(query), [query]);
  // Ranking a new model takes a moment: typing stays responsive while it runs.
  const deferred = useDeferredValue(query);
  const answer = useMemo(() => {
    const p = parseGuideQuery(deferred);
    return 'input' in p ? { input: p.input, answer: rankMethods(p.input, toy) } : null;
  }, [deferred, toy]);
  const errors: GuideFieldErrors = 'errors' in parsed ? parsed.errors : {};

  return (
    <section data-testid="guide" aria-label="Your setting and the ranked methods" className="not-prose mt-6 min-w-0">
      <form className="grid grid-cols-1 gap-4 rounded-xl border border-slate-200 p-4 sm:grid-cols-2 sm:p-6 dark:border-slate-700" onSubmit={(e) => e.preventDefault()}>
        <label className="flex min-w-0 flex-col gap-1 text-sm sm:col-span-2">
          <span className="font-medium">Model</span>
          <select
            data-testid="guide-model"
            className={INPUT}
            value={MODEL_CHOICES.some((m) => m.id === query.model) ? query.model : ''}
            onChange={(e) => set('model', e.target.value)}
            aria-invalid={errors.model ? true : undefined}
            aria-describedby={errors.model ? 'guide-model-error' : undefined}
          >
            {!MODEL_CHOICES.some((m) => m.id === query.model) && (
              <option value="" disabled>
                Choose a model
              </option>
            )}
            {MODEL_CHOICES.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.id})
              </option>
            ))}
          </select>
          <FieldError id="guide-model-error" message={errors.model} />
        </label>
        <TextField
          id="guide-memory"
          label="GPU memory (GiB)"
          help="Memory of one GPU: 16 for a T4, 24 for an RTX 4090, 80 for an A100 80 GB or H100."
          value={query.memory}
          onChange={(v) => set('memory', v)}
          error={errors.memory}
          inputMode="decimal"
          list="guide-memory-sizes"
        />
        <datalist id="guide-memory-sizes">
          {MEMORY_SUGGESTIONS.map((g) => (
            <option key={g} value={g} />
          ))}
        </datalist>
        <TextField
          id="guide-tasks"
          label="Tasks served"
          help="How many fine-tuned tasks share one base model, each with its own checkpoint."
          value={query.tasks}
          onChange={(v) => set('tasks', v)}
          error={errors.tasks}
          inputMode="numeric"
        />
        <fieldset className="flex min-w-0 flex-col gap-1 text-sm sm:col-span-2" aria-describedby="guide-latency-help">
          <legend className="font-medium">Does inference latency matter?</legend>
          <div className="mt-1 flex gap-6">
            {(['yes', 'no'] as const).map((v) => (
              <label key={v} className="flex items-center gap-2">
                <input type="radio" name="guide-latency" data-testid={`guide-latency-${v}`} value={v} checked={query.latency === v} onChange={() => set('latency', v)} />
                {v === 'yes' ? 'Yes, answers are waited for' : 'No, throughput only'}
              </label>
            ))}
          </div>
          <span id="guide-latency-help" className={HELP}>
            With latency, methods that add modules or tokens at inference lose more points than with throughput alone.
          </span>
          <FieldError id="guide-latency-error" message={errors.latency} />
        </fieldset>
        <details className="text-sm sm:col-span-2" open={errors.batch !== undefined || errors.seq !== undefined || undefined}>
          <summary className="cursor-pointer font-medium">Training setup (optional): batch × sequence length</summary>
          <div className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2">
            <TextField id="guide-batch" label="Batch size" help="Sequences per step (the micro-batch)." value={query.batch} onChange={(v) => set('batch', v)} error={errors.batch} inputMode="numeric" />
            <TextField id="guide-seq" label="Sequence length" help="Tokens per sequence." value={query.seq} onChange={(v) => set('seq', v)} error={errors.seq} inputMode="numeric" />
          </div>
        </details>
      </form>

      {'input' in parsed && answer ? (
        <GuideRanking answer={answer.answer} input={answer.input} pending={deferred !== query} />
      ) : (
        <p role="status" data-testid="guide-invalid" className="mt-6 text-sm text-slate-700 dark:text-slate-300">
          Correct the marked {Object.keys(errors).length === 1 ? 'field' : 'fields'} to see the ranking.
        </p>
      )}
    </section>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} role="alert" data-testid={`${id}`} className={ERROR}>
      {message}
    </span>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  help: string;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
  inputMode: 'decimal' | 'numeric';
  list?: string;
}

function TextField({ id, label, help, value, onChange, error, inputMode, list }: TextFieldProps) {
  return (
    <label className="flex min-w-0 flex-col gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <input
        data-testid={id}
        className={INPUT}
        type="text"
        inputMode={inputMode}
        list={list}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-help ${id}-error` : `${id}-help`}
      />
      <span id={`${id}-help`} className={HELP}>
        {help}
      </span>
      <FieldError id={`${id}-error`} message={error} />
    </label>
  );
}
