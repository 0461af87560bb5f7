import type { Metadata } from 'next';
import Link from 'next/link';
import { Disagreements, RecalledMark, SurveyComparisonTable, TextSupport, type ComparedRow } from '@/components/methods/SurveyComparison';
import { methodCosts, referenceInfo } from '@/lib/content/method-costs';
import { MEMORY_EFFICIENT_MAX_RATIO, STORAGE_EFFICIENT_MAX_SHARE, compareRow, surveyTable } from '@/lib/content/survey-table';
import { findMethod } from '@/lib/peft/taxonomy';

export const metadata: Metadata = {
  title: 'The survey’s comparison, recomputed',
  description:
    'The survey’s comparison of PEFT methods (storage, memory, backprop, inference overhead), as recalled and marked so, next to what our registry and cost model compute on Llama 2 7B, with every disagreement explained.',
};

/** Anchor keys: the method id, numbered when the table lists one method twice (Attention Tuning). */
function rowKeys(methods: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return methods.map((id) => {
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}-${n}`;
  });
}

export default function SurveyTablePage() {
  const table = surveyTable();
  const costs = methodCosts();
  const ref = referenceInfo();
  const keys = rowKeys(table.rows.map((r) => r.method));
  const rows: ComparedRow[] = table.rows.map((survey, i) => {
    const cost = costs.get(survey.method) ?? null;
    return {
      key: keys[i] ?? survey.method,
      survey,
      methodName: findMethod(survey.method)?.name ?? survey.method,
      implemented: cost !== null,
      axes: compareRow(survey, cost),
    };
  });
  const compared = rows.flatMap((r) => r.axes).filter((c) => c.verdict === 'agree' || c.verdict === 'disagree');
  const disagreements = compared.filter((c) => c.verdict === 'disagree').length;
  const implementedRows = rows.filter((r) => r.implemented).length;
  const { setup } = ref;

  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">The survey’s comparison, recomputed</h1>
      <div className="mt-2 max-w-3xl space-y-2 text-slate-700 dark:text-slate-300">
        <p>
          The survey compares PEFT methods on storage efficiency, memory efficiency, computation efficiency, accuracy and inference
          overhead, noting that gains on one axis need not carry over to the others (v1 §4), and points to its Table 1 for the
          comparison. As recalled, that table says for each method whether it saves storage and memory, whether it reduces
          backpropagation, and what overhead it adds at inference. Below, each row sits next to what our registry and{' '}
          <Link href="/about/cost-model/" className="underline">
            cost model
          </Link>{' '}
          compute for the same method. The computed figures for every method are in the{' '}
          <Link href="/methods/?view=costs" className="underline">
            methods table
          </Link>
          .
        </p>
      </div>

      <div role="note" className="mt-4 max-w-3xl rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
        <p>
          <strong>Every cell in the survey&apos;s columns is recalled, not checked against the paper.</strong> The copy of the v1
          text we work from has no tables, so the table below was reconstructed from memory of the paper. Each of its cells carries
          the mark <RecalledMark />. Where a section of the v1 text says the same thing, the cell also links to that section (
          <span className="whitespace-nowrap">v1 text §…</span>); the value is still recalled. Read the rest as unverified.
        </p>
      </div>

      <section aria-labelledby="criteria" className="mt-8 max-w-3xl">
        <h2 id="criteria" className="text-xl font-semibold">
          How our side is decided
        </h2>
        <p className="mt-2 text-slate-700 dark:text-slate-300">
          On <strong>{ref.modelName}</strong> ({(ref.totalParams / 1e9).toFixed(2)} billion parameters), trained with {setup.precision}{' '}
          base weights and {setup.optimizer === 'adamw' ? 'AdamW' : setup.optimizer}, batch {setup.batchSize} × {setup.sequenceLength}{' '}
          tokens, {setup.gradientCheckpointing ? 'with' : 'without'} gradient checkpointing, each method at its default
          hyperparameters (the setup of the methods table):
        </p>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700 dark:text-slate-300">
          <li>
            <strong>Storage efficient</strong>: the checkpoint a task needs is at most {STORAGE_EFFICIENT_MAX_SHARE * 100}% of a fully
            fine-tuned model&apos;s checkpoint (both with every value in fp32).
          </li>
          <li>
            <strong>Memory efficient</strong>: estimated peak training memory is below
            {MEMORY_EFFICIENT_MAX_RATIO === 1 ? '' : ` ${MEMORY_EFFICIENT_MAX_RATIO * 100}% of`} full fine-tuning&apos;s on the same
            model and setup ({(ref.fullFineTuningMemoryBytes / 1e9).toFixed(0)} GB).
          </li>
          <li>
            <strong>Backprop reduced</strong>: the method&apos;s gradients never pass through the frozen backbone (a trait each method
            file declares).
          </li>
          <li>
            <strong>Inference overhead</strong>: none when the served model is unchanged or the update merges into its weights;
            otherwise extra modules or a longer input, with the extra compute per token of a {setup.sequenceLength}-token input.
          </li>
          <li>
            A survey answer of &ldquo;maybe&rdquo; is conditional: it is not counted as a disagreement, and our note says what our
            model assumes.
          </li>
        </ul>
      </section>

      <section aria-labelledby="table" className="mt-8">
        <h2 id="table" className="text-xl font-semibold">
          The two tables, row by row
        </h2>
        <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300" data-testid="survey-summary">
          {table.rows.length} rows; {implementedRows} of them are methods we have implemented. On those, the recalled table and our
          figures give the same answer {compared.length - disagreements} times out of {compared.length} and different answers{' '}
          {disagreements} times, each explained below the table.
        </p>
        <p className="mt-2 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          The survey&apos;s caption, as recalled: &ldquo;{table.caption.value}&rdquo; Types: A additive, S selective, R
          reparametrization-based.
        </p>
        <div className="mt-3">
          <SurveyComparisonTable rows={rows} referenceName={ref.modelName} />
        </div>
      </section>

      <section aria-labelledby="why" className="mt-8 max-w-3xl">
        <h2 id="why" className="text-xl font-semibold">
          Where they disagree, and why
        </h2>
        <Disagreements rows={rows} referenceName={ref.modelName} />
      </section>

      <section aria-labelledby="support" className="mt-8 max-w-3xl">
        <h2 id="support" className="text-xl font-semibold">
          What the v1 text supports
        </h2>
        <p className="mt-2 text-slate-700 dark:text-slate-300">
          The cells a section of the survey&apos;s v1 text agrees with, and what that section says (our paraphrase).
        </p>
        <TextSupport rows={rows} />
      </section>
    </>
  );
}
