import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CitationBlock } from '@/components/content/CitationBlock';
import { ComingSoon } from '@/components/content/ComingSoon';
import { MdxBody } from '@/components/content/MdxBody';
import { ReadingLayout } from '@/components/content/ReadingLayout';
import { BlockDiagram } from '@/components/diagrams/BlockDiagram';
import { defaultAnatomy } from '@/components/diagrams/method-anatomy';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { methodCitation, methodPages } from '@/lib/content/catalogue';
import { shortAuthors } from '@/lib/content/citation';
import { type TocEntry, tocFromMdx } from '@/lib/content/toc';
import { childrenOf, parentsOf } from '@/lib/peft/lineage';
import { METHODS } from '@/lib/peft/registry';
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
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

/** The diagram's section id; not a heading slug, so an MDX heading with the same text cannot clash. */
const ANATOMY_ID = 'block-diagram';

export default async function MethodPage({ params }: Params) {
  const { slug } = await params;
  const method = findMethod(slug);
  if (!method) notFound();
  const page = methodPages().get(slug);
  const citation = methodCitation(method);
  const url = method.paper ? paperUrl(method.paper) : null;
  const implemented = METHODS.find((m) => m.id === slug);
  // Unwritten pages show no diagram: the page says the explanation is still to come.
  const anatomy = page && implemented ? defaultAnatomy(implemented) : null;

  const parents = parentsOf(slug);
  const children = childrenOf(slug);
  const nameOf = (id: string) => findMethod(id)?.name ?? id;

  const bodyToc = page ? tocFromMdx(page.body) : [];
  const anatomyHeading = 'Where it attaches';
  const citationId = citation ? `cite-${citation.key}` : null;
  const toc: TocEntry[] = [
    ...(anatomy ? [{ depth: 2 as const, id: ANATOMY_ID, text: anatomyHeading }] : []),
    ...bodyToc,
    ...(citationId ? [{ depth: 2 as const, id: citationId, text: 'Cite the original paper' }] : []),
  ];

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

      <div className="mt-6">
        <ReadingLayout toc={toc}>
          <dl className="max-w-3xl divide-y divide-slate-100 border-y border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-700">
            <Fact term="Category">
              <CategoryBadge category={method.category} label={CATEGORY_LABELS[method.category]} />
              {method.subgroup && SUBGROUP_LABELS[method.subgroup] !== CATEGORY_LABELS[method.category] && (
                <span className="text-slate-600 dark:text-slate-400"> · {SUBGROUP_LABELS[method.subgroup]}</span>
              )}
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
                ({shortAuthors(method.paper)}, {method.paper.venue})
              </Fact>
            )}
            {page && <Fact term="Trained">{page.frontmatter.trained}</Fact>}
            {page && <Fact term="Frozen">{page.frontmatter.frozen}</Fact>}
            {method.variants && <Fact term="Variants">{method.variants.join('; ')}</Fact>}
            <Fact term="Builds on">
              <div data-testid="builds-on">
                {parents.length === 0 ? (
                  <span className="text-slate-600 dark:text-slate-400">No other method listed here</span>
                ) : (
                  <ul className="space-y-1">
                    {parents.map((e) => (
                      <li key={e.parent}>
                        <Link href={`/methods/${e.parent}/`} className="underline">
                          {nameOf(e.parent)}
                        </Link>
                        : {e.how}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </Fact>
            <Fact term="Built on by">
              <div data-testid="built-on-by">
                {children.length === 0 ? (
                  <span className="text-slate-600 dark:text-slate-400">No later method listed here</span>
                ) : (
                  children.map((e, i) => (
                    <span key={e.child}>
                      {i > 0 && ', '}
                      <Link href={`/methods/${e.child}/`} className="underline">
                        {nameOf(e.child)}
                      </Link>
                    </span>
                  ))
                )}
                <span className="mt-1 block">
                  <Link href={`/lineage/#lineage-${slug}`} className="text-brand-700 underline dark:text-brand-300">
                    {method.name} in the method lineage
                  </Link>
                </span>
              </div>
            </Fact>
          </dl>

          {anatomy && implemented && (
            <section aria-labelledby={`${ANATOMY_ID}-heading`} id={ANATOMY_ID} className="mt-8 scroll-mt-20">
              <h2 id={`${ANATOMY_ID}-heading`} className="text-2xl font-bold tracking-tight">
                {anatomyHeading}
              </h2>
              <div className="mt-4">
                <BlockDiagram methodName={method.name} attachments={anatomy} id={`anatomy-${slug}`} />
              </div>
            </section>
          )}

          {/* Prose keeps a readable measure; the calculator and playground inside it use the full width. */}
          <div className="mt-8">
            {page ? (
              <MdxBody source={page.body} file={page.file} />
            ) : (
              <div className="max-w-3xl">
                <ComingSoon>
                  Our own explanation of {method.name}, with its update rule, a diagram, a runnable toy fine-tune and
                  parameter and memory calculators, is not written yet. The facts above come from the survey&apos;s
                  taxonomy.
                </ComingSoon>
              </div>
            )}
          </div>
          {citation && (
            <div className="max-w-3xl">
              <CitationBlock citation={citation} heading="Cite the original paper" note={method.paper?.confidence && `Reference uncertain: ${method.paper.confidence}`} />
            </div>
          )}
        </ReadingLayout>
      </div>
    </article>
  );
}
