import { EMBED_FOLLOWING_HEADINGS } from '@/lib/content/embed-headings';
import { loadSurveyResults, loadToyBenchmark } from '@/lib/datasets/load';
import { findMethod } from '@/lib/peft/taxonomy';
import { type MeasuredView, type SourceLine, type SurveyView, type ToyView, measuredView } from './measured';

/**
 * What a method measured, shown right after its calculator's analytic estimate: its rows of the toy
 * benchmark and the survey authors' measured counts and throughput for the configurations mapped
 * to it. A server component: the datasets are read and validated at build time and the page gets
 * static HTML, no JavaScript.
 */

const HEADING = EMBED_FOLLOWING_HEADINGS.Calculator[0];
const MUTED = 'text-slate-600 dark:text-slate-400';
const CELL = 'px-2 py-1.5 align-top';
const HEAD = `${CELL} font-semibold whitespace-nowrap`;
// relative: the sr-only labels inside (absolutely positioned) are clipped by the box, not the page.
const SCROLL_BOX = 'relative mt-3 overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700';

function Sources({ sources }: { sources: SourceLine[] }) {
  return (
    <p className={`mt-2 text-xs ${MUTED}`} data-testid="measured-source">
      {sources.length === 1 ? 'Source' : 'Sources'}:{' '}
      {sources.map((s, i) => (
        <span key={s.source}>
          {i > 0 && '; '}
          <code className="break-words">{s.source}</code>
          {s.details.length > 0 && <> ({s.details.join('; ')})</>}
        </span>
      ))}
    </p>
  );
}

function ToyTable({ name, toy }: { name: string; toy: ToyView }) {
  const perRowConfig = toy.commonConfig === null;
  const perRowTrainable = toy.commonTrainable === null;
  return (
    <>
      <div className={SCROLL_BOX} role="region" aria-label={`${name} on the toy tasks`} tabIndex={0}>
        <table data-testid="measured-toy" className="w-full min-w-[40rem] border-collapse text-left text-sm">
          <caption className="sr-only">
            {name} on the toy model, per task: held-out exact match before and after fine-tuning, over seeds; how many runs reached the task&apos;s
            target and how fast; time per step and peak tensor memory
          </caption>
          <thead>
            <tr className="border-b border-slate-300 dark:border-slate-700">
              <th scope="col" className={HEAD}>
                Task (target)
              </th>
              <th scope="col" className={HEAD}>
                Exact match: base → tuned
              </th>
              <th scope="col" className={HEAD}>
                Reached target
              </th>
              <th scope="col" className={HEAD}>
                To target
              </th>
              <th scope="col" className={HEAD}>
                Time per step
              </th>
              <th scope="col" className={HEAD}>
                Peak memory
              </th>
              {perRowTrainable && (
                <th scope="col" className={HEAD}>
                  Trainable
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {toy.lines.map((l, i) => (
              <tr key={`${l.task}-${i}`} data-task={l.task} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                <th scope="row" className={`${CELL} font-normal`}>
                  <span className="whitespace-nowrap">{l.taskName}</span> <span className={MUTED}>({l.target})</span>
                  {perRowConfig && <span className={`block text-xs ${MUTED}`}>{l.config}</span>}
                </th>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>
                  {l.base} → <strong>{l.tuned}</strong>
                  <span className={`block text-xs ${MUTED}`}>{l.seeds}</span>
                </td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>{l.reached}</td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>
                  {l.stepsToTarget === null ? (
                    <span className={MUTED}>not reached</span>
                  ) : (
                    <>
                      {l.stepsToTarget}
                      {l.secondsToTarget && <span className="block">{l.secondsToTarget}</span>}
                    </>
                  )}
                </td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>
                  {l.msPerStep}
                  {l.relative && <span className={`block text-xs ${MUTED}`}>{l.relative}</span>}
                </td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>{l.peakMemory}</td>
                {perRowTrainable && <td className={`${CELL} whitespace-nowrap tabular-nums`}>{l.trainable}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className={`mt-2 text-sm ${MUTED}`} data-testid="measured-machine">
        {toy.machine} {toy.protocol} Time to target is over the runs that reached it.
        {toy.commonTrainable && <> Trainable: {toy.commonTrainable}.</>}
        {toy.commonConfig && <> Configuration: {toy.commonConfig}.</>}
      </p>
      <Sources sources={toy.sources} />
    </>
  );
}

function SurveyTable({ name, survey }: { name: string; survey: SurveyView }) {
  const described = [...new Map(survey.lines.map((l) => [l.config, l.description])).entries()];
  return (
    <>
      <div className={SCROLL_BOX} role="region" aria-label={`${name} in the survey's experiments`} tabIndex={0}>
        <table data-testid="measured-survey" className="w-full min-w-[34rem] border-collapse text-left text-sm">
          <caption className="sr-only">
            Trainable parameters the survey authors&apos; code measured for each configuration mapped to {name}, our count for the same configuration,
            and their evaluation throughput
          </caption>
          <thead>
            <tr className="border-b border-slate-300 dark:border-slate-700">
              <th scope="col" className={HEAD}>
                Configuration
              </th>
              <th scope="col" className={HEAD}>
                Model
              </th>
              <th scope="col" className={HEAD}>
                Authors&apos; count
              </th>
              <th scope="col" className={HEAD}>
                Our count
              </th>
              <th scope="col" className={HEAD}>
                Eval examples/s per GPU
              </th>
            </tr>
          </thead>
          <tbody>
            {survey.lines.map((l) => (
              <tr key={`${l.config}-${l.model}`} data-config={l.config} data-model={l.model} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                <th scope="row" className={`${CELL} font-normal`}>
                  <code>{l.config}</code>
                </th>
                <td className={`${CELL} whitespace-nowrap`}>{l.model}</td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>{l.authors ?? <span className={MUTED}>not measured</span>}</td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>
                  {l.ours ?? <span className={MUTED}>not computed</span>}
                  {l.equal === true && (
                    <span className="ml-1 text-emerald-700 dark:text-emerald-400" data-equal="true">
                      <span aria-hidden="true">✓</span>
                      <span className="sr-only">(equal to the authors&apos; count)</span>
                    </span>
                  )}
                  {l.equal === false && (
                    <span className="ml-1 text-amber-700 dark:text-amber-400" data-equal="false">
                      <span aria-hidden="true">≠</span>
                      <span className="sr-only">(differs from the authors&apos; count)</span>
                    </span>
                  )}
                </td>
                <td className={`${CELL} whitespace-nowrap tabular-nums`}>{l.throughput ?? <span className={MUTED}>not measured</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className={`mt-2 space-y-1 text-sm ${MUTED}`}>
        {described.map(([config, description]) => (
          <div key={config}>
            <dt className="inline">
              <code>{config}</code>:
            </dt>{' '}
            <dd className="inline">{description ?? 'no description in the dataset'}</dd>
          </div>
        ))}
      </dl>
      {survey.notes.length > 0 && (
        <ul className={`mt-2 list-disc space-y-1 pl-5 text-sm ${MUTED}`} aria-label="Caveats">
          {survey.notes.map((n) => (
            <li key={n.text}>
              <span className="font-medium">{n.about}:</span> {n.text}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-2 text-sm" data-testid="measured-missing" role="note">
        <span className="font-semibold">No accuracy figures:</span> {survey.missing}
      </p>
      <Sources sources={survey.sources} />
    </>
  );
}

/** The panel for a method named `name`, from its view (measured.ts); rendered by MeasuredResults. */
export function MeasuredPanel({ name, view }: { name: string; view: MeasuredView }) {
  return (
    <section
      data-testid="measured-results"
      aria-labelledby={HEADING.id}
      className="not-prose my-8 min-w-0 rounded-xl border border-slate-200 p-4 sm:p-6 dark:border-slate-700"
    >
      <h2 id={HEADING.id} className="text-xl font-semibold">
        {HEADING.text}
        <a className="heading-anchor" href={`#${HEADING.id}`} aria-hidden="true" tabIndex={-1}>
          #
        </a>
      </h2>
      <p className={`mt-1 text-sm ${MUTED}`}>
        Measurements of {name} beside the estimate above: on this site&apos;s toy model, and in the survey authors&apos; experiments on T5.
      </p>

      <h3 className="mt-5 font-semibold">On the toy model</h3>
      {view.toy ? (
        <ToyTable name={name} toy={view.toy} />
      ) : (
        <p className="mt-2 text-sm" data-testid="measured-toy-missing">
          Not measured on the toy yet: <code className="break-all">{view.command}</code>
        </p>
      )}

      <h3 className="mt-6 font-semibold">In the survey&apos;s experiments</h3>
      {view.survey ? (
        <SurveyTable name={name} survey={view.survey} />
      ) : (
        <p className={`mt-2 text-sm ${MUTED}`} data-testid="measured-survey-missing">
          {view.surveyUnmapped
            ? `None of the configurations in the survey authors' experiments is mapped to ${name}.`
            : 'The survey’s measurements are not in the site’s data yet.'}
        </p>
      )}

      <p className="mt-5 text-sm">
        <a href="/benchmarks/" className="text-brand-700 underline dark:text-brand-300">
          All results
        </a>
        <span className={MUTED}>: every method on every toy task, and the survey&apos;s experiments.</span>
      </p>
    </section>
  );
}

export function MeasuredResults({ method }: { method: string }) {
  return <MeasuredPanel name={findMethod(method)?.name ?? method} view={measuredView(method, { toy: loadToyBenchmark(), survey: loadSurveyResults() })} />;
}
