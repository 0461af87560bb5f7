import type { Metadata } from 'next';
import Link from 'next/link';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { LineageTree } from '@/components/lineage/LineageTree';
import { lineageEdges } from '@/lib/peft/lineage';
import { CATEGORY_LABELS, SUBGROUP_LABELS, type Subgroup, taxonomy } from '@/lib/peft/taxonomy';

export const metadata: Metadata = {
  title: 'Method lineage',
  description: 'Which parameter-efficient fine-tuning methods build on which, drawn over time, with where each paper says so.',
};

/**
 * One lane per taxonomy subgroup, the baseline first, a subgroup's category named where the
 * subgroup alone does not say it. Hybrids sit between adapters and low-rank methods, the families
 * most of them combine, so their links stay short.
 */
const LANE_LABELS: Record<Subgroup | 'baseline', string> = {
  baseline: 'Baseline',
  'other-additive': SUBGROUP_LABELS['other-additive'],
  'soft-prompts': `${SUBGROUP_LABELS['soft-prompts']} (additive)`,
  adapters: `${SUBGROUP_LABELS.adapters} (additive)`,
  hybrid: SUBGROUP_LABELS.hybrid,
  'low-rank': `${SUBGROUP_LABELS['low-rank']} (reparametrization-based)`,
  selective: SUBGROUP_LABELS.selective,
};
const LANES = (Object.keys(LANE_LABELS) as (keyof typeof LANE_LABELS)[]).map((id) => ({ id, label: LANE_LABELS[id] }));

export default function LineagePage() {
  const edges = lineageEdges();
  const methods = taxonomy.methods.map((m) => ({ id: m.id, name: m.name, year: m.paper?.year ?? null, category: m.category, lane: m.subgroup ?? 'baseline' }));
  const byId = new Map(taxonomy.methods.map((m) => [m.id, m]));
  const name = (id: string) => byId.get(id)?.name ?? id;
  const inOrder = [...methods].sort((a, b) => (a.year ?? 0) - (b.year ?? 0) || a.name.localeCompare(b.name));
  const categories = (['baseline', 'additive', 'selective', 'reparametrization', 'hybrid'] as const).filter((c) => methods.some((m) => m.category === c));

  return (
    <article>
      <h1 className="text-3xl font-bold tracking-tight">Method lineage</h1>
      <p className="mt-3 max-w-3xl text-lg text-slate-700 dark:text-slate-300">
        Which methods build on which, by the year of their paper. A line runs from a method to a later one that builds on it,
        as the later paper says itself; the list below the chart names where.
      </p>

      <div className="mt-6 flex flex-wrap gap-x-6 gap-y-2 text-sm" aria-label="Legend" role="group">
        {categories.map((c) => (
          <CategoryBadge key={c} category={c} label={CATEGORY_LABELS[c]} />
        ))}
        <span className="text-slate-600 dark:text-slate-400">
          Hover or focus a method to light up what it builds on and what builds on it.
          <span className="lg:hidden"> The chart scrolls sideways to later years.</span>
        </span>
      </div>
      <div className="mt-4">
        <LineageTree methods={methods} links={edges} lanes={LANES} />
      </div>

      <section aria-labelledby="lineage-list" className="mt-10 max-w-3xl">
        <h2 id="lineage-list" className="text-2xl font-bold tracking-tight">
          Every method and what it builds on
        </h2>
        <p className="mt-2 text-slate-700 dark:text-slate-300">The same links as the chart, oldest paper first.</p>
        <ul className="mt-4 space-y-4" data-testid="lineage-list">
          {inOrder.map((m) => {
            const parents = edges.filter((e) => e.child === m.id);
            const children = edges.filter((e) => e.parent === m.id);
            return (
              <li key={m.id} id={`lineage-${m.id}`} className="scroll-mt-20">
                <p>
                  <Link href={`/methods/${m.id}/`} className="font-semibold underline">
                    {m.name}
                  </Link>{' '}
                  <span className="text-slate-600 dark:text-slate-400">({m.year ?? 'baseline'})</span>
                </p>
                {parents.length > 0 ? (
                  <ul className="mt-1 space-y-1 pl-4 text-sm">
                    {parents.map((e) => (
                      <li key={e.parent}>
                        Builds on{' '}
                        <Link href={`/methods/${e.parent}/`} className="underline">
                          {name(e.parent)}
                        </Link>
                        : {e.how}. <span className="text-slate-600 dark:text-slate-400">Source: {e.source}.</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="mt-1 pl-4 text-sm text-slate-600 dark:text-slate-400">Builds on no other method listed here.</p>
                )}
                {children.length > 0 && (
                  <p className="mt-1 pl-4 text-sm">
                    Built on by{' '}
                    {children.map((e, i) => (
                      <span key={e.child}>
                        {i > 0 && ', '}
                        <Link href={`/methods/${e.child}/`} className="underline">
                          {name(e.child)}
                        </Link>
                      </span>
                    ))}
                    .
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </article>
  );
}
