import type { Metadata } from 'next';
import Link from 'next/link';
import { MethodsTable } from '@/components/methods/MethodsTable';
import { methodRows } from '@/lib/content/catalogue';
import { referenceInfo } from '@/lib/content/method-costs';
import { CATEGORIES, CATEGORY_LABELS, SUBGROUPS, SUBGROUP_LABELS, SURVEY_COVERAGE, SURVEY_LABELS } from '@/lib/peft/taxonomy';

export const metadata: Metadata = {
  title: 'Methods',
  description:
    'Every parameter-efficient fine-tuning method of the survey taxonomy, filterable by category, year, inference overhead and backprop, with checkpoint size, training memory and trained share on Llama 2 7B.',
};

export default function MethodsIndex() {
  const rows = methodRows();
  const ref = referenceInfo();
  const years = [...new Set(rows.flatMap((r) => (r.year === null ? [] : [r.year])))].sort();
  const implemented = rows.filter((r) => r.cost !== null);
  const { setup } = ref;
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Methods</h1>
      <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
        The methods of the survey&apos;s taxonomy, plus widely used later work, each linked to its original paper.
        Filter by category or subgroup, search by name, and sort by any column.
      </p>
      <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
        Switch the columns to <strong>Costs on {ref.modelName}</strong> to see, for the {implemented.length} methods implemented so far,
        what our registry and{' '}
        <Link href="/about/cost-model/" className="underline">
          cost model
        </Link>{' '}
        compute: the checkpoint each task needs, peak training memory as a share of full fine-tuning&apos;s, the share of the
        model&apos;s parameters trained, and how the tuned model is served. The survey compared methods on the same questions;{' '}
        <Link href="/methods/survey-table/" className="underline">
          its table next to ours
        </Link>{' '}
        shows where the two disagree.
      </p>
      <div className="mt-6">
        <MethodsTable
          rows={rows}
          categories={[...CATEGORIES, 'baseline' as const].map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
          subgroups={SUBGROUPS.map((s) => ({ value: s, label: SUBGROUP_LABELS[s] }))}
          surveys={SURVEY_COVERAGE.map((s) => ({ value: s, label: SURVEY_LABELS[s] }))}
          years={years.map((y) => ({ value: String(y), label: String(y) }))}
          referenceName={ref.modelName}
        />
      </div>

      <section aria-labelledby="cost-setup" className="mt-8 max-w-3xl text-sm text-slate-700 dark:text-slate-300">
        <h2 id="cost-setup" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
          How the cost columns are computed
        </h2>
        <p className="mt-2">
          Every figure is for <strong>{ref.modelName}</strong> ({ref.modelId}, {(ref.totalParams / 1e9).toFixed(2)} billion
          parameters), the calculators&apos; default model, trained with {setup.precision} base weights and{' '}
          {setup.optimizer === 'adamw' ? 'AdamW' : setup.optimizer}, batch {setup.batchSize} × {setup.sequenceLength} tokens,{' '}
          {setup.gradientCheckpointing ? 'with' : 'without'} gradient checkpointing, each method at its default hyperparameters
          (listed below). Training memory is an estimate; parameter counts and checkpoint sizes are exact. Full fine-tuning needs
          about {(ref.fullFineTuningMemoryBytes / 1e9).toFixed(0)} GB in this setup, and its checkpoint (every weight in fp32) is{' '}
          {(ref.fullFineTuningCheckpointBytes / 1e9).toFixed(1)} GB.
        </p>
        <ul className="mt-2 list-disc space-y-1 pl-5">
          <li>
            <strong>Checkpoint per task</strong>: what a task must store, every saved value in fp32 (for prefix tuning, the prefix
            without the network that trains it).
          </li>
          <li>
            <strong>Trained share</strong>: trainable parameters over the model&apos;s parameters.
          </li>
          <li>
            <strong>Inference overhead</strong>: &ldquo;None once merged&rdquo; means the update folds into the frozen weights;
            otherwise the extra compute per token of a {setup.sequenceLength}-token input is given.
          </li>
          <li>
            <strong>&mdash;</strong>: the method is not implemented yet, so there is nothing to compute; no figure is guessed.
          </li>
        </ul>
        <details className="mt-3">
          <summary className="cursor-pointer font-medium">Default hyperparameters used</summary>
          <ul className="mt-2 space-y-1">
            {implemented.map((r) => (
              <li key={r.id}>
                <a href={r.cost?.calculatorHref} className="underline">
                  {r.name}
                </a>
                : {r.cost?.settings}
              </li>
            ))}
          </ul>
        </details>
      </section>
    </>
  );
}
