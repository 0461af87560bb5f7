import type { ReactNode } from 'react';
import { MdxBody } from '@/components/content/MdxBody';
import type { ProsePage } from '@/lib/content/pages';

/** A prose page from content/pages: its title, its MDX body, and anything the route adds after. */
export function ProseArticle({ page, children }: { page: ProsePage; children?: ReactNode }) {
  return (
    <article className="max-w-3xl">
      <h1 className="text-3xl font-bold tracking-tight">{page.frontmatter.title}</h1>
      <div className="mt-6">
        <MdxBody source={page.body} file={page.file} />
      </div>
      {children}
    </article>
  );
}
