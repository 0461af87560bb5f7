import type { ReactNode } from 'react';
import { MdxBody } from '@/components/content/MdxBody';
import { ReadingLayout } from '@/components/content/ReadingLayout';
import type { ProsePage } from '@/lib/content/pages';
import { tocFromMdx } from '@/lib/content/toc';

/** A prose page from content/pages: its title, its MDX body with a table of contents, and anything the route adds after. */
export function ProseArticle({ page, children }: { page: ProsePage; children?: ReactNode }) {
  return (
    <article>
      <h1 className="text-3xl font-bold tracking-tight">{page.frontmatter.title}</h1>
      <div className="mt-6">
        <ReadingLayout toc={tocFromMdx(page.body)}>
          <MdxBody source={page.body} file={page.file} />
          {children}
        </ReadingLayout>
      </div>
    </article>
  );
}
