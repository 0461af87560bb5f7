import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CitationBlock } from '@/components/content/CitationBlock';
import { ComingSoon } from '@/components/content/ComingSoon';
import { MdxBody } from '@/components/content/MdxBody';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { methodCitation, methodPages } from '@/lib/content/catalogue';
import { CATEGORY_LABELS, SUBGROUP_LABELS, SURVEY_LABELS, findMethod, paperUrl, taxonomy } from '@/lib/peft/taxonomy';

interface Params {
  params: Promise<{ slug: string }>;
}

export const dynamicParams = false;

export function generateStaticParams() {
  return taxonomy.methods.map((m) => ({ slug: m.id }));
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const method = findMethod(slug);
  const page = methodPages().get(slug);
  return {
    title: method?.name ?? slug,
    description: page?.frontmatter.summary ?? (method?.paper ? `${method.name}: ${method.paper.title}` : undefined),
  };
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] gap-2 py-1.5 sm:grid-cols-[9rem_1fr]">
      <dt className="font-medium text-slate-600 dark:text-slate-400">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export default async function MethodPage({ params }: Params) {
  const { slug } = await params;
  const method = findMethod(slug);
  if (!method) notFound();
  const page = methodPages().get(slug);
  const citation = methodCitation(method);
  const url = method.paper ? paperUrl(method.paper) : null;

  return (
    <article>
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600 dark:text-slate-400">
        <Link href="/methods/" className="underline">
          Methods
        </Link>{' '}
        / {method.name}
      </nav>
      <h1 className="mt-2 text-3xl font-bold tracking-tight">{method.name}</h1>
      {page && <p className="mt-2 max-w-3xl text-lg text-slate-700 dark:text-slate-300">{page.frontmatter.summary}</p>}

      <dl className="mt-6 max-w-3xl divide-y divide-slate-100 border-y border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-700">
        <Fact term="Category">
          <CategoryBadge category={method.category} label={CATEGORY_LABELS[method.category]} />
          {method.subgroup && SUBGROUP_LABELS[method.subgroup] !== CATEGORY_LABELS[method.category] && <span className="text-slate-600 dark:text-slate-400"> · {SUBGROUP_LABELS[method.subgroup]}</span>}
        </Fact>
        <Fact term="In the survey">{SURVEY_LABELS[method.survey]}</Fact>
        {method.paper && (
          <Fact term="Paper">
            {url ? (
              <a href={url} className="underline">
                {method.paper.title}
              </a>
            ) : (
              method.paper.title
            )}{' '}
            ({method.paper.authors}, {method.paper.venue})
          </Fact>
        )}
        {page && <Fact term="Trained">{page.frontmatter.trained}</Fact>}
        {page && <Fact term="Frozen">{page.frontmatter.frozen}</Fact>}
        {method.variants && <Fact term="Variants">{method.variants.join('; ')}</Fact>}
      </dl>

      <div className="mt-8 max-w-3xl">
        {page ? (
          <MdxBody source={page.body} file={page.file} />
        ) : (
          <ComingSoon>
            Our own explanation of {method.name}, with its update rule, a diagram, a runnable toy fine-tune and
            parameter and memory calculators, is not written yet. The facts above come from the survey&apos;s
            taxonomy.
          </ComingSoon>
        )}
        {citation && (
          <CitationBlock citation={citation} heading="Cite the original paper" note={method.paper?.confidence && `Reference uncertain: ${method.paper.confidence}`} />
        )}
      </div>
    </article>
  );
}
