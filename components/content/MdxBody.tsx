import { mdxComponents } from '@/components/mdx/components';
import { KATEX_STYLESHEET, katexFontUrl } from '@/lib/content/katex-assets';
import { compileMdxPage } from '@/lib/content/mdx';

/**
 * Server component: compiles an MDX body at build time and renders it as prose. Text keeps a
 * reading measure; tables, figures and embedded tools use the full width (`.reading-measure`).
 *
 * A body with math links KaTeX's stylesheet and preloads the fonts its formulas use, so the math
 * is laid out in its own fonts from the first paint (no layout shift); pages without math load
 * neither. They are <link> elements, which React hoists into <head>, rather than preload() calls:
 * those become hints in the page's RSC payload, and a page that merely prefetches this one (any
 * link to it in view) would download its fonts too.
 */
export async function MdxBody({ source, file }: { source: string; file: string }) {
  const { Content, katexFaces } = await compileMdxPage(source, file);
  return (
    <>
      {katexFaces.length > 0 && <link rel="stylesheet" href={KATEX_STYLESHEET} precedence="default" />}
      {katexFaces.map((face) => (
        <link key={face} rel="preload" href={katexFontUrl(face)} as="font" type="font/woff2" crossOrigin="anonymous" />
      ))}
      <div className="reading-measure prose prose-slate max-w-none dark:prose-invert prose-headings:scroll-mt-6 prose-code:before:content-none prose-code:after:content-none">
        <Content components={mdxComponents} />
      </div>
    </>
  );
}
