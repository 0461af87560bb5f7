import { compileSync } from '@mdx-js/mdx';
import type { Element, ElementContent, Root, RootContent } from 'hast';
import { EMBED_FOLLOWING_HEADINGS, EMBED_HEADINGS } from './embed-headings';
import { REMARK_PLUGINS, SLUG_PLUGIN } from './mdx';

/**
 * The table of contents of an MDX body: its h2 and h3 headings, and the boxes of embedded
 * components that open with a heading (<Playground>, <Calculator> and the measured results the
 * page shows after it), in page order. The ids come
 * from running the page's own markdown parsing and heading slugger (mdx.ts), so they are the ids
 * the built page has, for headings with math, code, links or repeated text alike.
 */

export interface TocEntry {
  depth: 2 | 3;
  id: string;
  text: string;
}

const GREEK: Record<string, string> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', theta: 'θ', lambda: 'λ', mu: 'μ', pi: 'π',
  rho: 'ρ', sigma: 'σ', tau: 'τ', phi: 'φ', omega: 'ω', Delta: 'Δ', Sigma: 'Σ', Phi: 'Φ', Omega: 'Ω',
};

/** Inline TeX as a reader would say it in plain text: `\Delta W_0` → "ΔW0". */
function plainTex(tex: string): string {
  return tex
    .replace(/\\([a-zA-Z]+)\s*/g, (_, name: string) => GREEK[name] ?? '')
    .replace(/[{}^_\\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function classes(el: Element): unknown[] {
  const c = el.properties?.className;
  return Array.isArray(c) ? c : [];
}

/** A heading's visible text: its text nodes, with inline math turned from TeX into plain text. */
function headingText(node: ElementContent): string {
  if (node.type === 'text') return node.value;
  if (node.type !== 'element') return '';
  const inner = node.children.map(headingText).join('');
  return classes(node).includes('math-inline') ? plainTex(inner) : inner;
}

function collect(tree: Root): TocEntry[] {
  const entries: TocEntry[] = [];
  const walk = (node: Root | RootContent) => {
    if (node.type === 'element' && /^h[23]$/.test(node.tagName) && typeof node.properties.id === 'string') {
      const text = node.children.map(headingText).join('').replace(/\s+/g, ' ').trim();
      entries.push({ depth: node.tagName === 'h2' ? 2 : 3, id: node.properties.id, text });
      return;
    }
    if (node.type === 'mdxJsxFlowElement' && node.name && node.name in EMBED_HEADINGS) {
      const embed = EMBED_HEADINGS[node.name as keyof typeof EMBED_HEADINGS];
      entries.push({ depth: 2, id: embed.id, text: embed.text });
      const following: Partial<Record<string, readonly { id: string; text: string }[]>> = EMBED_FOLLOWING_HEADINGS;
      for (const box of following[node.name] ?? []) entries.push({ depth: 2, id: box.id, text: box.text });
      return;
    }
    if ('children' in node) for (const child of node.children) walk(child as RootContent);
  };
  walk(tree);
  return entries;
}

export function tocFromMdx(source: string): TocEntry[] {
  let entries: TocEntry[] = [];
  compileSync(source, {
    remarkPlugins: REMARK_PLUGINS,
    rehypePlugins: [
      SLUG_PLUGIN,
      () => (tree: Root) => {
        entries = collect(tree);
      },
    ],
  });
  return entries;
}
