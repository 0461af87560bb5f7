import type { Metadata } from 'next';
import { ProseArticle } from '@/components/content/ProseArticle';
import { loadProsePage } from '@/lib/content/pages';

const page = loadProsePage('cost-model');

export const metadata: Metadata = { title: page.frontmatter.title, description: page.frontmatter.description };

export default function CostModelPage() {
  return <ProseArticle page={page} />;
}
