import type { Metadata } from 'next';
import Link from 'next/link';
import { CostExplorer } from '@/components/benchmarks/CostExplorer';
import { packCosts, toCostPoints } from '@/components/benchmarks/cost-view';
import { SurveyExperiments } from '@/components/benchmarks/SurveyExperiments';
import { humanKey, protocolText, sourceText, surveyLines } from '@/components/benchmarks/survey-view';
import { ToyExplorer, type TaskInfo } from '@/components/benchmarks/ToyExplorer';
import { toToyPoints, type MethodMeta } from '@/components/benchmarks/toy-view';
import { datasetHref, loadAnalyticCosts, loadSurveyResults, loadToyBenchmark } from '@/lib/datasets/load';
import { SURVEY_MODELS } from '@/lib/datasets/survey-results';
import type { ToyBenchmark } from '@/lib/datasets/toy-benchmark';
import { TASKS } from '@/lib/peft/model/tasks';
import { METHODS } from '@/lib/peft/registry';
import { CATEGORY_LABELS, findMethod } from '@/lib/peft/taxonomy';

export const metadata: Metadata = {
  title: 'Benchmarks',
  description:
    'Every implemented PEFT method fine-tuning the in-browser toy model over several seeds, the analytic costs of each method on real models, and the survey authors’ measured counts and throughput: sortable tables, charts with the Pareto front, CSV and JSON downloads.',
};

const SURVEY_MODEL_NAMES: Record<(typeof SURVEY_MODELS)[number], string> = { 't5-large': 'T5-Large', 't5-3b': 'T5-3B', 't5-11b': 'T5-11B' };

/** Display order of the categories (the taxonomy's, the baseline first). */
const CATEGORY_ORDER = ['baseline', 'additive', 'selective', 'reparametrization', 'hybrid'] as const;
const CATEGORY_OPTIONS = CATEGORY_ORDER.map((id) => ({ id, label: CATEGORY_LABELS[id] }));

/** A method's display name from the registry (the taxonomy's for one not built), and its category. */
function methodMeta(id: string): MethodMeta | undefined {
  const taxon = findMethod(id);
  const name = METHODS.find((m) => m.id === id)?.name ?? taxon?.name;
  return name ? { name, category: taxon?.category ?? 'uncategorised' } : undefined;
}

const DOWNLOADS = [
  { name: 'toy-benchmark', label: 'Toy benchmark', what: 'one line per method and task, with the summary over seeds (the JSON also has every run)' },
  { name: 'analytic-costs', label: 'Analytic costs', what: 'one line per method, model and training setup' },
  { name: 'survey-results', label: 'Survey experiments', what: 'one line per configuration, model and measure' },
] as const;

const code = 'rounded bg-slate-100 px-1 font-mono text-[0.9em] dark:bg-slate-800';

export default function BenchmarksPage() {
  // Read and validated at build time (lib/datasets/load): a bad file fails the build naming the field.
  const toy = loadToyBenchmark();
  const costs = loadAnalyticCosts();
  const survey = loadSurveyResults();

  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Benchmarks</h1>
      <div className="mt-2 max-w-3xl space-y-2 text-slate-700 dark:text-slate-300">
        <p>
          Three kinds of figures, each with its source. Our own <strong>toy benchmark</strong> fine-tunes the small transformer that the playgrounds run in
          your browser with every implemented method, over several seeds, and records held-out exact match, how soon each run reaches the task&apos;s
          target, the time per step and the peak tensor memory. The <strong>analytic costs</strong> are what our cost model computes for each method on
          real models. The <strong>survey&apos;s head-to-head experiments</strong> are shown only as far as the authors&apos; code recorded them.
        </p>
        <p>
          Every dataset is rebuilt by <code className={code}>npm run data</code> (see the README); the files are below under{' '}
          <a href="#downloads" className="underline">
            Downloads
          </a>
          .
        </p>
      </div>
      <nav aria-label="On this page" className="mt-4 flex flex-wrap gap-x-4 gap-y-1 text-sm">
        <a href="#toy-benchmark" className="underline">
          Toy benchmark
        </a>
        <a href="#analytic-costs" className="underline">
          Analytic costs
        </a>
        <a href="#survey-experiments" className="underline">
          Survey experiments
        </a>
        <a href="#downloads" className="underline">
          Downloads
        </a>
      </nav>

      <section aria-labelledby="toy-benchmark" className="mt-10">
        <h2 id="toy-benchmark" className="text-2xl font-semibold">
          Toy benchmark
        </h2>
        <ToySection toy={toy} />
      </section>

      <section aria-labelledby="analytic-costs" className="mt-12">
        <h2 id="analytic-costs" className="text-2xl font-semibold">
          Analytic costs on real models
        </h2>
        <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
          {costs.about} Generated {costs.generated}; how each figure is computed is on the{' '}
          <Link href="/about/cost-model/" className="underline">
            cost model
          </Link>{' '}
          page, and the{' '}
          <Link href="/calculator/" className="underline">
            calculator
          </Link>{' '}
          computes any other setting. Sizes are shown in decimal units (1 GB = 10⁹ bytes).
        </p>
        <div className="mt-4">
          <CostExplorer
            packed={packCosts(toCostPoints(costs.rows, methodMeta))}
            models={costs.models}
            setups={costs.setups.map((s) => ({ id: s.id, label: s.label }))}
            categories={CATEGORY_OPTIONS}
          />
        </div>
      </section>

      <section aria-labelledby="survey-experiments" className="mt-12">
        <h2 id="survey-experiments" className="text-2xl font-semibold">
          The survey&apos;s head-to-head experiments
        </h2>
        <div className="mt-3">
          <SurveyExperiments
            about={survey.about}
            missing={survey.missing}
            protocol={Object.entries(survey.protocol).map(([k, v]) => [humanKey(k), protocolText(v)] as const)}
            tasks={survey.tasks}
            configs={survey.configs}
            lines={surveyLines(survey.records, SURVEY_MODELS)}
            models={SURVEY_MODELS.map((id) => ({ id, name: SURVEY_MODEL_NAMES[id] }))}
            methodNames={Object.fromEntries(
              survey.records.flatMap((r) => {
                const meta = r.method ? methodMeta(r.method) : undefined;
                return r.method && meta ? [[r.method, meta.name]] : [];
              }),
            )}
            sources={[...new Set(survey.records.map((r) => sourceText(r.provenance)))]}
          />
        </div>
      </section>

      <section aria-labelledby="downloads" className="mt-12">
        <h2 id="downloads" className="text-2xl font-semibold">
          Downloads
        </h2>
        <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
          Each dataset as JSON (the file the page is built from, every record with its source) and as CSV (flattened for a spreadsheet).
        </p>
        <ul className="mt-3 space-y-2" data-testid="downloads">
          {DOWNLOADS.map((d) => (
            <li key={d.name} className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <span className="font-medium">{d.label}</span>
              <a href={datasetHref(d.name, 'csv')} download={`${d.name}.csv`} className="text-brand-700 underline dark:text-brand-300" data-testid={`download-${d.name}-csv`}>
                CSV
              </a>
              <a href={datasetHref(d.name, 'json')} download={`${d.name}.json`} className="text-brand-700 underline dark:text-brand-300" data-testid={`download-${d.name}-json`}>
                JSON
              </a>
              <span className="text-sm text-slate-600 dark:text-slate-400">{d.what}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function ToySection({ toy }: { toy: ToyBenchmark }) {
  const { machine, protocol } = toy;
  const tasks: TaskInfo[] = TASKS.map((t) => ({ id: t.id, name: t.name, description: t.description, target: protocol.targets[t.id] ?? t.target }));
  const sources = [...new Set(toy.rows.map((r) => sourceText(r.provenance)))];
  const seeds = protocol.seeds.length;
  const runs = toy.rows.flatMap((r) => r.runs);
  // Runs that shared the CPU with other work (recorded by newer benchmark runs only).
  const loaded = runs.filter((r) => r.loadAverage !== undefined && r.loadAverage > machine.cores).length;
  return (
    <>
      <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">{toy.about}</p>
      <div className="mt-4 grid gap-6 md:grid-cols-2">
        <div>
          <h3 className="text-lg font-semibold">Machine and protocol</h3>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="toy-protocol">
            <dt className="font-medium">Measured</dt>
            <dd>
              {machine.date}; {machine.runtime}; {machine.backend} backend
            </dd>
            <dt className="font-medium">CPU</dt>
            <dd>
              {machine.cpu}, {machine.cores} core{machine.cores === 1 ? '' : 's'}
            </dd>
            <dt className="font-medium">Training</dt>
            <dd>
              {protocol.steps} steps, batch {protocol.batchSize}, each method at its own toy learning rate
            </dd>
            <dt className="font-medium">Seeds</dt>
            <dd>
              {seeds} ({protocol.seeds.join(', ')})
            </dd>
            <dt className="font-medium">Evaluation</dt>
            <dd>
              exact match on {protocol.heldOut} held-out examples every {protocol.evalEvery} steps
            </dd>
          </dl>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            Times are wall-clock on that machine, so they compare methods with each other, not with your browser.
            {loaded > 0 &&
              ` In ${loaded} of ${runs.length} runs the machine's load average at the end of the run was above its ${machine.cores} cores: other work shared the CPU, so those runs' times are slower than the machine can do.`}
          </p>
        </div>
        <div>
          <h3 className="text-lg font-semibold">Task targets</h3>
          <div className="mt-2 overflow-x-auto" role="region" aria-label="Task targets" tabIndex={0}>
            <table className="w-full border-collapse text-left text-sm" data-testid="toy-targets">
              <caption className="sr-only">The held-out exact match each toy task&apos;s runs aim for.</caption>
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-700">
                  <th scope="col" className="py-1 pr-3 font-semibold">
                    Task
                  </th>
                  <th scope="col" className="py-1 pr-3 text-right font-semibold">
                    Target
                  </th>
                  <th scope="col" className="py-1 font-semibold">
                    Rows
                  </th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((t) => {
                  const n = toy.rows.filter((r) => r.task === t.id).length;
                  return (
                    <tr key={t.id} className="border-b border-slate-100 dark:border-slate-800">
                      <th scope="row" className="py-1 pr-3 font-normal">
                        {t.name}
                        <span className="block text-xs text-slate-600 dark:text-slate-400">{t.description}</span>
                      </th>
                      <td className="py-1 pr-3 text-right tabular-nums">{t.target.toFixed(2)}</td>
                      <td className="py-1 tabular-nums">{n > 0 ? `${n} method${n === 1 ? '' : 's'}` : 'none yet'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      </div>

      <div className="mt-6">
        <ToyExplorer points={toToyPoints(toy.rows, methodMeta)} tasks={tasks} categories={CATEGORY_OPTIONS} />
      </div>
      <p className="mt-4 break-words text-xs text-slate-600 dark:text-slate-400" data-testid="toy-sources">
        Source: {sources.join('; ') || 'no rows'}. Rebuild with <code className={code}>npm run data</code>.
      </p>
    </>
  );
}
