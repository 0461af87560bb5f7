import { mdxComponents } from '@/components/mdx/components';
import { compileMdx } from '@/lib/content/mdx';

/** Server component: compiles an MDX body at build time and renders it as prose. */
export async function MdxBody({ source, file }: { source: string; file: string }) {
  const Content = await compileMdx(source, file);
  return (
    <div className="prose prose-slate max-w-none dark:prose-invert prose-headings:scroll-mt-20 prose-code:before:content-none prose-code:after:content-none">
      <Content components={mdxComponents} />
    </div>
  );
}
