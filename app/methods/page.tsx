import type { Metadata } from 'next';
import { MethodsTable } from '@/components/methods/MethodsTable';
import { methodRows } from '@/lib/content/catalogue';
import { CATEGORIES, CATEGORY_LABELS, SUBGROUPS, SUBGROUP_LABELS, SURVEY_COVERAGE, SURVEY_LABELS } from '@/lib/peft/taxonomy';

export const metadata: Metadata = {
  title: 'Methods',
  description: 'Every parameter-efficient fine-tuning method of the survey taxonomy, filterable by category, subgroup and publication year.',
};

export default function MethodsIndex() {
  const rows = methodRows();
  const years = [...new Set(rows.flatMap((r) => (r.year === null ? [] : [r.year])))].sort();
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Methods</h1>
      <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
        The methods of the survey&apos;s taxonomy, plus widely used later work, each linked to its original paper.
        Filter by category or subgroup, search by name, and sort by any column.
      </p>
      <div className="mt-6">
        <MethodsTable
          rows={rows}
          categories={[...CATEGORIES, 'baseline' as const].map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
          subgroups={SUBGROUPS.map((s) => ({ value: s, label: SUBGROUP_LABELS[s] }))}
          surveys={SURVEY_COVERAGE.map((s) => ({ value: s, label: SURVEY_LABELS[s] }))}
          years={years.map((y) => ({ value: String(y), label: String(y) }))}
        />
      </div>
    </>
  );
}
