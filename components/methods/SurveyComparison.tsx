import Link from 'next/link';
import type { ReactNode } from 'react';
import type { AxisComparison, Axis, SurveyRow, Verdict } from '@/lib/content/survey-table';

/**
 * The survey's Table 1 (every cell recalled, never shown as fact) beside our registry's and cost
 * model's answers, with disagreements marked and explained. A server component: static HTML only.
 */

export interface ComparedRow {
  /** Anchor-safe key, unique per survey row. */
  key: string;
  survey: SurveyRow;
  /** Our taxonomy name for the row's method, and whether it is implemented. */
  methodName: string;
  implemented: boolean;
  axes: AxisComparison[];
}

export const AXIS_LABELS: Record<Axis, string> = {
  storage: 'Storage efficient',
  memory: 'Memory efficient',
  backprop: 'Backprop reduced',
  inference: 'Inference overhead',
};

const pill = 'inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium';
const RECALLED = `${pill} bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200`;
const SUPPORTED = `${pill} bg-sky-100 text-sky-900 underline dark:bg-sky-950 dark:text-sky-200`;
// The survey's method stays in view while the axis columns scroll sideways; the inset shadow is
// its right edge (a border would scroll away with border-collapse).
const STICKY =
  'sticky left-0 z-10 bg-white shadow-[inset_-1px_0_0_var(--color-slate-200)] dark:bg-slate-950 dark:shadow-[inset_-1px_0_0_var(--color-slate-800)]';
const CELL = 'py-3 pl-3 pr-4 align-top';

/** The visible "recalled" tag; the full meaning is in the legend and read out to screen readers. */
export function RecalledMark() {
  return (
    <span className={RECALLED} data-mark="recalled">
      recalled<span className="sr-only">, not checked against the paper</span>
    </span>
  );
}

function SupportMark({ sections, href }: { sections: readonly string[]; href: string }) {
  return (
    <a href={href} className={SUPPORTED} data-mark="supported">
      <span className="sr-only">supported by the v1 text, </span>v1 text §{sections.join(', §')}
    </a>
  );
}

const VERDICT_STYLE: Record<Verdict, string> = {
  agree: 'text-emerald-800 dark:text-emerald-300',
  disagree: 'font-semibold text-red-800 underline dark:text-red-300',
  depends: 'text-slate-700 underline dark:text-slate-300',
  'no-parameters': 'text-slate-600 dark:text-slate-400',
  'not-implemented': 'text-slate-600 dark:text-slate-400',
};

function VerdictMark({ c, whyHref }: { c: AxisComparison; whyHref: string }) {
  const words: Record<Verdict, string> = {
    agree: '= agrees',
    disagree: '≠ disagrees: why',
    depends: 'survey: it depends (our note)',
    'no-parameters': 'no comparison',
    'not-implemented': '',
  };
  if (c.verdict === 'not-implemented') return null;
  const text = <span className={`text-xs ${VERDICT_STYLE[c.verdict]}`}>{words[c.verdict]}</span>;
  return (
    <span className="mt-1 block" data-verdict={c.verdict}>
      {c.verdict === 'disagree' || c.verdict === 'depends' ? <a href={whyHref}>{text}</a> : text}
    </span>
  );
}

function surveyWords(c: AxisComparison): string {
  const detail = 'detail' in c.survey && c.survey.detail ? ` (${c.survey.detail})` : '';
  return `${c.survey.value}${detail}`;
}

export const whyId = (row: ComparedRow, axis: Axis) => `why-${row.key}-${axis}`;
export const textId = (row: ComparedRow, cell: string) => `text-${row.key}-${cell}`;

function AxisCell({ row, c, referenceName }: { row: ComparedRow; c: AxisComparison; referenceName: string }) {
  const cellKey = c.axis === 'backprop' ? 'backpropReduced' : c.axis;
  const disagree = c.verdict === 'disagree';
  return (
    <td className={`${CELL} ${disagree ? 'bg-red-50 dark:bg-red-950/40' : ''}`} data-axis={c.axis}>
      <span className="block">
        <span className="text-slate-600 dark:text-slate-400">Survey: </span>
        <span className="italic">{surveyWords(c)}</span>{' '}
        <RecalledMark /> {c.survey.support && <SupportMark sections={c.survey.support.sections} href={`#${textId(row, cellKey)}`} />}
      </span>
      <span className="mt-1 block">
        <span className="text-slate-600 dark:text-slate-400">Ours: </span>
        {c.verdict === 'not-implemented' ? (
          <span className="text-slate-600 dark:text-slate-400">
            <span aria-hidden="true">—</span>
            <span className="sr-only">not implemented yet</span>
          </span>
        ) : c.verdict === 'no-parameters' ? (
          `nothing to train on ${referenceName}`
        ) : (
          c.ours
        )}
      </span>
      <VerdictMark c={c} whyHref={`#${whyId(row, c.axis)}`} />
    </td>
  );
}

// `relative` on the scroll box keeps the absolutely positioned screen-reader text inside it;
// otherwise those spans sit at their static position beyond the box and widen the page.
export function SurveyComparisonTable({ rows, referenceName }: { rows: ComparedRow[]; referenceName: string }) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800" role="region" aria-label="The survey’s table next to ours" tabIndex={0}>
      <table className="w-full min-w-[56rem] border-collapse text-left text-sm">
        <caption className="sr-only">
          The survey’s v1 Table 1, every cell recalled and not checked against the paper, next to what our registry and cost model
          say on {referenceName}
        </caption>
        <thead>
          <tr className="border-b border-slate-300 dark:border-slate-700">
            <th scope="col" className={`${CELL} ${STICKY} font-semibold`}>
              Method in the survey, and ours
            </th>
            {Object.values(AXIS_LABELS).map((label) => (
              <th key={label} scope="col" className={`${CELL} font-semibold`}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} id={`row-${row.key}`} data-method={row.survey.method} className="border-b border-slate-100 dark:border-slate-800">
              <th scope="row" className={`${CELL} ${STICKY} w-36 min-w-36 font-normal sm:w-52`}>
                <span className="font-medium">{row.survey.name}</span>
                <span className="mt-1 block text-xs">
                  type {row.survey.cells.type.value} <RecalledMark />{' '}
                  {row.survey.cells.type.support && <SupportMark sections={row.survey.cells.type.support.sections} href={`#${textId(row, 'type')}`} />}
                </span>
                <span className="mt-2 block">
                  <span className="text-slate-600 dark:text-slate-400">Ours: </span>
                  <Link href={`/methods/${row.survey.method}/`} className="text-brand-700 underline dark:text-brand-300">
                    {row.methodName}
                  </Link>
                  {!row.implemented && <span className="block text-xs text-slate-600 dark:text-slate-400">not implemented yet</span>}
                </span>
                {row.survey.note && <span className="mt-1 block text-xs text-slate-600 dark:text-slate-400">{row.survey.note}</span>}
              </th>
              {row.axes.map((c) => (
                <AxisCell key={c.axis} row={row} c={c} referenceName={referenceName} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every disagreement and conditional answer, each with our explanation. */
export function Disagreements({ rows, referenceName }: { rows: ComparedRow[]; referenceName: string }) {
  const items = rows.flatMap((row) => row.axes.filter((c) => c.verdict === 'disagree' || c.verdict === 'depends').map((c) => ({ row, c })));
  return (
    <ul className="mt-3 space-y-4" data-testid="disagreements">
      {items.map(({ row, c }) => (
        <li key={whyId(row, c.axis)} id={whyId(row, c.axis)} data-verdict={c.verdict} className="scroll-mt-20 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <p className="font-semibold">
            {row.survey.name}: {AXIS_LABELS[c.axis].toLowerCase()}{' '}
            <span className={`text-sm font-normal ${VERDICT_STYLE[c.verdict].replace('underline', '')}`}>
              ({c.verdict === 'disagree' ? 'we disagree' : 'the survey says it depends'})
            </span>
          </p>
          <p className="mt-1">
            The survey&apos;s table, as recalled, says <em>{surveyWords(c)}</em> <RecalledMark />; our cost model on {referenceName} says{' '}
            <strong>{c.ours}</strong>.
          </p>
          {c.explanation && <p className="mt-1 text-slate-700 dark:text-slate-300">{c.explanation}</p>}
          <p className="mt-1 text-xs">
            <a href={`#row-${row.key}`} className="underline">
              Back to the row
            </a>
          </p>
        </li>
      ))}
    </ul>
  );
}

/** The cells the v1 text supports, with what it says and where. */
export function TextSupport({ rows }: { rows: ComparedRow[] }) {
  const items: { id: string; row: ComparedRow; column: string; sections: readonly string[]; says: string }[] = [];
  const columns: [keyof SurveyRow['cells'], string][] = [
    ['type', 'type'],
    ['storage', 'storage efficient'],
    ['memory', 'memory efficient'],
    ['backpropReduced', 'backprop reduced'],
    ['inference', 'inference overhead'],
  ];
  for (const row of rows) {
    for (const [key, column] of columns) {
      const support = row.survey.cells[key].support;
      if (support) items.push({ id: textId(row, key), row, column, sections: support.sections, says: support.says });
    }
  }
  return (
    <ul className="mt-3 space-y-2" data-testid="text-support">
      {items.map((item) => (
        <li key={item.id} id={item.id} className="scroll-mt-20">
          <Term>
            {item.row.survey.name}, {item.column} (v1 §{item.sections.join(', §')}):
          </Term>{' '}
          {item.says}
        </li>
      ))}
    </ul>
  );
}

function Term({ children }: { children: ReactNode }) {
  return <span className="font-medium">{children}</span>;
}
