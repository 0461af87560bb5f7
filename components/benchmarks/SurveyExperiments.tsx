import Link from 'next/link';
import { formatInt, formatRelative } from './format';
import type { SurveyCell, SurveyLine } from './survey-view';

interface Props {
  about: string;
  missing: string;
  protocol: readonly (readonly [string, string])[];
  tasks: readonly { id: string; metric: string; note?: string }[];
  /** Config name -> what it trains, in the dataset's words. */
  configs: Record<string, string>;
  lines: readonly SurveyLine[];
  models: readonly { id: string; name: string }[];
  /** Our method names by id, for the configurations that map to one. */
  methodNames: Record<string, string>;
  sources: readonly string[];
}

const CELL = 'py-2 pl-3 pr-3 align-top first:pl-0';
const STICKY = 'sticky left-0 z-10 bg-white dark:bg-slate-950';

/**
 * The survey's v2 head-to-head experiments as far as they can be shown: the protocol, the authors'
 * measured trainable counts beside ours, and evaluation throughput, with the reason there are no
 * accuracy numbers kept in view. A server component: nothing here changes after the page loads.
 */
export function SurveyExperiments({ about, missing, protocol, tasks, configs, lines, models, methodNames, sources }: Props) {
  const counted = lines.filter((l) => models.some((m) => l.cells[m.id]?.theirs !== null));
  const timed = lines.filter((l) => models.some((m) => l.cells[m.id]?.throughput !== null));
  const verdicts = counted.flatMap((l) => models.map((m) => l.cells[m.id]?.verdict).filter((v) => v === 'match' || v === 'differs'));
  const matches = verdicts.filter((v) => v === 'match').length;

  return (
    <div className="space-y-6">
      <div role="note" data-testid="survey-missing" className="max-w-3xl rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
        <p>
          <strong>No accuracy or ROUGE numbers are shown, and none are estimated.</strong> {missing}
        </p>
      </div>
      <p className="max-w-3xl text-slate-700 dark:text-slate-300">{about}</p>

      <div className="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="survey-protocol">
          <h3 id="survey-protocol" className="text-lg font-semibold">
            Protocol
          </h3>
          <dl className="mt-2 space-y-1 text-sm" data-testid="survey-protocol">
            {protocol.map(([k, v]) => (
              <div key={k}>
                <dt className="inline font-medium">{k}: </dt>
                <dd className="inline text-slate-700 dark:text-slate-300">{v}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section aria-labelledby="survey-tasks">
          <h3 id="survey-tasks" className="text-lg font-semibold">
            Tasks
          </h3>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
            {tasks.map((t) => (
              <li key={t.id}>
                <span className="font-mono">{t.id}</span>, scored by {t.metric}
                {t.note ? ` (${t.note})` : ''}
              </li>
            ))}
          </ul>
        </section>
      </div>

      <section aria-labelledby="survey-counts">
        <h3 id="survey-counts" className="text-lg font-semibold">
          Trainable parameters: the authors&apos; measured counts beside ours
        </h3>
        <p className="mt-1 max-w-3xl text-sm text-slate-700 dark:text-slate-300">
          Each cell gives the count the authors&apos; experiment code reported, and below it the count our cost model computes for the same configuration
          where we compute one. {verdicts.length > 0 ? `${matches} of ${verdicts.length} compared counts are identical.` : ''}
        </p>
        <div className="relative mt-2 overflow-x-auto" role="region" aria-label="Trainable parameter counts" tabIndex={0}>
          <table className="w-full min-w-[44rem] border-collapse text-left text-sm" data-testid="survey-counts-table">
            <caption className="sr-only">Trainable parameters per configuration and model: the authors&apos; measured count and ours.</caption>
            <thead>
              <tr className="border-b border-slate-300 dark:border-slate-700">
                <th scope="col" className={`${CELL} ${STICKY} font-semibold`}>
                  Configuration
                </th>
                <th scope="col" className={`${CELL} font-semibold`}>
                  Our method
                </th>
                {models.map((m) => (
                  <th key={m.id} scope="col" className={`${CELL} text-right font-semibold`}>
                    {m.name}
                  </th>
                ))}
                <th scope="col" className={`${CELL} font-semibold`}>
                  Notes
                </th>
              </tr>
            </thead>
            <tbody>
              {counted.map((l) => (
                <tr key={l.config} className="border-b border-slate-100 dark:border-slate-800" data-config={l.config}>
                  <th scope="row" className={`${CELL} ${STICKY} font-normal`}>
                    <span className="font-mono">{l.config}</span>
                    {configs[l.config] && <span className="block max-w-[14rem] text-xs text-slate-600 dark:text-slate-400">{configs[l.config]}</span>}
                  </th>
                  <td className={CELL}>
                    {l.method ? (
                      <Link href={`/methods/${l.method}/`} className="text-brand-700 underline dark:text-brand-300">
                        {methodNames[l.method] ?? l.method}
                      </Link>
                    ) : (
                      <span className="text-slate-600 dark:text-slate-400">none of ours</span>
                    )}
                  </td>
                  {models.map((m) => (
                    <CountCell key={m.id} cell={l.cells[m.id]} />
                  ))}
                  <td className={`${CELL} max-w-[18rem] text-xs text-slate-600 dark:text-slate-400`}>{notes(l, models, 'countCaveats')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="survey-throughput">
        <h3 id="survey-throughput" className="text-lg font-semibold">
          Evaluation throughput
        </h3>
        <p className="mt-1 max-w-3xl text-sm text-slate-700 dark:text-slate-300">
          Examples per second per GPU while generating at evaluation, as the authors&apos; code logged it. These are not training speeds; read them as a
          rough relative comparison, with the caveats in the notes.
        </p>
        {timed.length === 0 ? (
          <p className="mt-2 text-sm">The dataset has no throughput records.</p>
        ) : (
          <div className="relative mt-2 overflow-x-auto" role="region" aria-label="Evaluation throughput" tabIndex={0}>
            <table className="w-full min-w-[32rem] border-collapse text-left text-sm" data-testid="survey-throughput-table">
              <caption className="sr-only">Evaluation examples per second per GPU, per configuration and model.</caption>
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-700">
                  <th scope="col" className={`${CELL} ${STICKY} font-semibold`}>
                    Configuration
                  </th>
                  {models.map((m) => (
                    <th key={m.id} scope="col" className={`${CELL} text-right font-semibold`}>
                      {m.name}
                    </th>
                  ))}
                  <th scope="col" className={`${CELL} font-semibold`}>
                    Notes
                  </th>
                </tr>
              </thead>
              <tbody>
                {timed.map((l) => (
                  <tr key={l.config} className="border-b border-slate-100 dark:border-slate-800">
                    <th scope="row" className={`${CELL} ${STICKY} font-mono font-normal`}>
                      {l.config}
                    </th>
                    {models.map((m) => {
                      const v = l.cells[m.id]?.throughput ?? null;
                      return (
                        <td key={m.id} className={`${CELL} text-right tabular-nums`}>
                          {v === null ? '—' : v.toFixed(1)}
                        </td>
                      );
                    })}
                    <td className={`${CELL} max-w-[18rem] text-xs text-slate-600 dark:text-slate-400`}>{notes(l, models, 'throughputCaveats')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="survey-sources">
        <h3 id="survey-sources" className="text-lg font-semibold">
          Sources
        </h3>
        <ul className="mt-2 list-disc space-y-1 break-words pl-5 text-sm text-slate-700 dark:text-slate-300" data-testid="survey-sources">
          {sources.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function CountCell({ cell }: { cell: SurveyCell | undefined }) {
  if (!cell || cell.theirs === null) {
    return <td className={`${CELL} text-right text-slate-600 dark:text-slate-400`}>—</td>;
  }
  return (
    <td className={`${CELL} text-right tabular-nums`} data-verdict={cell.verdict ?? undefined}>
      {formatInt(cell.theirs)}
      <span className="block text-xs text-slate-600 dark:text-slate-400">
        {cell.verdict === 'match' && (
          <>
            ours: same <span aria-hidden="true">✓</span>
          </>
        )}
        {cell.verdict === 'differs' && (
          <>
            ours: {formatInt(cell.ours)} ({formatRelative(cell.difference)})
          </>
        )}
        {cell.verdict === 'not-computed' && 'ours: not computed'}
      </span>
    </td>
  );
}

/** A line's caveats, each once, prefixed with the models it applies to when not all of them. */
function notes(line: SurveyLine, models: Props['models'], which: 'countCaveats' | 'throughputCaveats'): string {
  const byCaveat = new Map<string, string[]>();
  for (const m of models) for (const c of line.cells[m.id]?.[which] ?? []) byCaveat.set(c, [...(byCaveat.get(c) ?? []), m.name]);
  return [...byCaveat.entries()].map(([c, ms]) => (ms.length === models.length ? c : `${ms.join(', ')}: ${c}`)).join(' ') || '—';
}
