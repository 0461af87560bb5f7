import type { Metadata } from 'next';
import { CitationBlock } from '@/components/content/CitationBlock';
import { ProseArticle } from '@/components/content/ProseArticle';
import { SURVEY_CITATION } from '@/lib/content/citation';
import { loadProsePage } from '@/lib/content/pages';

const page = loadProsePage('about');

export const metadata: Metadata = { title: page.frontmatter.title, description: page.frontmatter.description };

export default function AboutPage() {
  return (
    <ProseArticle page={page}>
      <CitationBlock citation={SURVEY_CITATION} heading="Cite the survey" />
    </ProseArticle>
  );
}
