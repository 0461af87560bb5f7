import { compile, run } from '@mdx-js/mdx';
import type { MDXComponents, MDXContent } from 'mdx/types';
import * as runtime from 'react/jsx-runtime';
import rehypeShiki from '@shikijs/rehype';
import rehypeAutolinkHeadings from 'rehype-autolink-headings';
import rehypeKatex from 'rehype-katex';
import rehypeSlug from 'rehype-slug';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';

export type { MDXComponents };

/**
 * Compile an MDX body at build time: GFM tables, $math$ rendered to KaTeX HTML, code
 * highlighted by Shiki (both themes, switched by CSS), and linkable headings.
 */
export async function compileMdx(source: string, file: string): Promise<MDXContent> {
  try {
    const compiled = await compile(source, {
      outputFormat: 'function-body',
      remarkPlugins: [remarkGfm, remarkMath],
      rehypePlugins: [
        [rehypeKatex, { strict: 'error' }],
        [rehypeShiki, { themes: { light: 'github-light-default', dark: 'github-dark-default' }, defaultColor: false }],
        rehypeSlug,
        [
          rehypeAutolinkHeadings,
          {
            behavior: 'append',
            properties: { className: ['heading-anchor'], ariaHidden: 'true', tabIndex: -1 },
            content: { type: 'text', value: '#' },
          },
        ],
      ],
    });
    // rehype-katex reports bad math as a message and renders it in red; a page must not ship that.
    const mathError = compiled.messages.find((m) => m.source === 'rehype-katex');
    if (mathError) throw new Error(`${mathError.reason} at line ${mathError.line ?? '?'}: ${mathError.cause}`);
    const mod = await run(String(compiled), { ...runtime, baseUrl: import.meta.url });
    return mod.default;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot compile MDX in ${file}: ${reason}`);
  }
}
