import type { Metadata } from 'next';
import { MdxBody } from '@/components/content/MdxBody';
import { loadProsePage } from '@/lib/content/pages';

const page = loadProsePage('cost-model');

export const metadata: Metadata = { title: page.frontmatter.title, description: page.frontmatter.description };

export default function CostModelPage() {
  return (
    <article className="max-w-3xl">
      <h1 className="text-3xl font-bold tracking-tight">{page.frontmatter.title}</h1>
      <div className="mt-6">
        <MdxBody source={page.body} file={page.file} />
      </div>
    </article>
  );
}
