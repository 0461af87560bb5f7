import type { Metadata } from 'next';
import Link from 'next/link';
import { TaxonomyMap } from '@/components/taxonomy/TaxonomyMap';
import { taxonomyMap } from '@/components/taxonomy/map-data';
import { CATEGORIES, CATEGORY_LABELS, taxonomy } from '@/lib/peft/taxonomy';

export const metadata: Metadata = {
  title: 'Taxonomy',
  description:
    'The taxonomy of parameter-efficient fine-tuning methods from the survey by Lialin et al. as an interactive map: additive, selective, reparametrization-based and hybrid methods, each linked to its page.',
};

export default function TaxonomyPage() {
  const model = taxonomyMap();
  const inFigure = taxonomy.methods.filter((m) => m.survey === 'v1-section' || m.survey === 'v1-figure').length;
  const later = taxonomy.methods.filter((m) => m.survey === 'beyond').length;
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">The taxonomy of PEFT methods</h1>
      <div className="mt-3 max-w-3xl space-y-3 text-slate-700 dark:text-slate-300">
        <p>
          The survey sorts parameter-efficient fine-tuning methods into three families. Additive methods add new parameters and
          train only those; adapters and soft prompts are their two large groups. Selective methods train a subset of the
          existing parameters. Reparametrization-based methods train a low-dimensional form of the weight update. Hybrid
          methods combine families, so they sit where the circles overlap.
        </p>
        <p>
          This map redraws the taxonomy figure of the survey&apos;s first version (Figure 2 of{' '}
          <a className="underline" href="https://arxiv.org/abs/2303.15647v1">
            arXiv 2303.15647v1
          </a>
          ) with its {inFigure} methods, and adds {later} later methods, drawn as rings, in the family we assign them to.
          Which method builds on which is drawn over time in the <Link className="underline" href="/lineage/">lineage view</Link>,
          and the <Link className="underline" href="/methods/survey-table/">comparison table</Link> sets the survey&apos;s
          judgements beside our cost model.
        </p>
      </div>

      <div className="mt-6">
        <TaxonomyMap model={model} title="The taxonomy of PEFT methods as a Venn diagram of links" />
      </div>

      <section aria-labelledby="families" className="mt-10 max-w-3xl">
        <h2 id="families" className="text-2xl font-semibold">
          The families
        </h2>
        <dl className="mt-3 space-y-3">
          {CATEGORIES.map((category) => {
            const count = taxonomy.methods.filter((m) => m.category === category).length;
            return (
              <div key={category}>
                <dt className="font-semibold">{CATEGORY_LABELS[category]}</dt>
                <dd className="text-slate-700 dark:text-slate-300">
                  {taxonomy.categories[category]}{' '}
                  <Link className="underline" href={`/methods/?category=${category}`}>
                    {count} methods in the table
                  </Link>
                  .
                </dd>
              </div>
            );
          })}
        </dl>
        <h2 className="mt-8 text-2xl font-semibold">How this map differs from the figure</h2>
        <ul className="mt-3 list-disc space-y-1.5 pl-5 text-slate-700 dark:text-slate-300">
          <li>
            The circles keep the figure&apos;s arrangement and overlaps, not its sizes: the reparametrization-based circle is
            larger because it also holds the later low-rank methods.
          </li>
          <li>
            Adapters and soft prompts are drawn wholly inside additive, since they are kinds of additive methods.
          </li>
          <li>Full fine-tuning, the baseline every method is compared with, stands outside every circle.</li>
          <li>Names are spelled as on the method pages, which may differ slightly from the figure&apos;s spelling.</li>
        </ul>
      </section>
    </>
  );
}
