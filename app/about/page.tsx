import type { Metadata } from 'next';
import { CitationBlock } from '@/components/content/CitationBlock';
import { MdxBody } from '@/components/content/MdxBody';
import { SURVEY_CITATION } from '@/lib/content/citation';
import { loadProsePage } from '@/lib/content/pages';

const page = loadProsePage('about');

export const metadata: Metadata = { title: page.frontmatter.title, description: page.frontmatter.description };

export default function AboutPage() {
  return (
    <article className="max-w-3xl">
      <h1 className="text-3xl font-bold tracking-tight">{page.frontmatter.title}</h1>
      <div className="mt-6">
        <MdxBody source={page.body} file={page.file} />
      </div>
      <CitationBlock citation={SURVEY_CITATION} heading="Cite the survey" />
    </article>
  );
}
