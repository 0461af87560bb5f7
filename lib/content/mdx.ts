import { compile, run, type CompileOptions } from '@mdx-js/mdx';
import type { Element, Root } from 'hast';
import type { MDXComponents, MDXContent } from 'mdx/types';
import * as runtime from 'react/jsx-runtime';
import rehypeShiki from '@shikijs/rehype';
import rehypeAutolinkHeadings from 'rehype-autolink-headings';
import rehypeKatex from 'rehype-katex';
import rehypeSlug from 'rehype-slug';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { allowBreaksAfterCommas, katexFacesIn } from './katex-assets';

export type { MDXComponents };

type PluggableList = NonNullable<CompileOptions['rehypePlugins']>;

/** How markdown is read: GFM tables and $math$. The table of contents (toc.ts) parses with the same list. */
export const REMARK_PLUGINS: PluggableList = [remarkGfm, remarkMath];

/**
 * rehype-slug runs first, on the headings as written (inline math still its TeX source, code its
 * text), so heading ids are plain words and toc.ts can derive them without rendering the math.
 */
export const SLUG_PLUGIN = rehypeSlug;

/** Inline math (`code.math-inline` before KaTeX) may wrap after its top-level commas. */
function rehypeInlineMathBreaks() {
  return (tree: Root) => {
    const visit = (node: Root | Element) => {
      for (const child of node.children) {
        if (child.type !== 'element') continue;
        const classes = Array.isArray(child.properties.className) ? child.properties.className : [];
        const text = child.children.length === 1 && child.children[0]?.type === 'text' ? child.children[0] : null;
        if (classes.includes('math-inline') && text) text.value = allowBreaksAfterCommas(text.value);
        else visit(child);
      }
    };
    visit(tree);
  };
}

/** Records the KaTeX font faces the rendered math uses, for the page to preload. */
function rehypeRecordKatexFaces() {
  return (tree: Root, file: { data: Record<string, unknown> }) => {
    file.data.katexFaces = katexFacesIn(tree);
  };
}

/**
 * Display math scrolls sideways inside its own box on a narrow screen (globals.css); a scrolling
 * box must be reachable from the keyboard, as Shiki already makes code blocks.
 */
function rehypeFocusableDisplayMath() {
  return (tree: Root) => {
    const visit = (node: Root | Element) => {
      for (const child of node.children) {
        if (child.type !== 'element') continue;
        const classes = Array.isArray(child.properties.className) ? child.properties.className : [];
        if (classes.includes('katex-display')) child.properties.tabIndex = 0;
        else visit(child);
      }
    };
    visit(tree);
  };
}

const REHYPE_PLUGINS: PluggableList = [
  SLUG_PLUGIN,
  rehypeInlineMathBreaks,
  [rehypeKatex, { strict: 'error' }],
  rehypeRecordKatexFaces,
  rehypeFocusableDisplayMath,
  [rehypeShiki, { themes: { light: 'github-light-default', dark: 'github-dark-default' }, defaultColor: false }],
  [
    rehypeAutolinkHeadings,
    {
      behavior: 'append',
      properties: { className: ['heading-anchor'], ariaHidden: 'true', tabIndex: -1 },
      content: { type: 'text', value: '#' },
    },
  ],
];

export interface CompiledMdx {
  Content: MDXContent;
  /** KaTeX font faces the page's math is set in ("Main-Regular", "Math-Italic", …); empty without math. */
  katexFaces: readonly string[];
}

/**
 * Compile an MDX body at build time: GFM tables, $math$ rendered to KaTeX HTML, code
 * highlighted by Shiki (both themes, switched by CSS), and linkable headings.
 */
export async function compileMdxPage(source: string, file: string): Promise<CompiledMdx> {
  try {
    const compiled = await compile(source, {
      outputFormat: 'function-body',
      remarkPlugins: REMARK_PLUGINS,
      rehypePlugins: REHYPE_PLUGINS,
    });
    // rehype-katex reports bad math as a message and renders it in red; a page must not ship that.
    const mathError = compiled.messages.find((m) => m.source === 'rehype-katex');
    if (mathError) throw new Error(`${mathError.reason} at line ${mathError.line ?? '?'}: ${mathError.cause}`);
    const mod = await run(String(compiled), { ...runtime, baseUrl: import.meta.url });
    const faces = (compiled.data as Record<string, unknown>).katexFaces;
    return { Content: mod.default, katexFaces: Array.isArray(faces) ? faces : [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot compile MDX in ${file}: ${reason}`);
  }
}

/** The compiled body alone (see compileMdxPage). */
export async function compileMdx(source: string, file: string): Promise<MDXContent> {
  return (await compileMdxPage(source, file)).Content;
}
