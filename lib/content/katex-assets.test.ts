import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KATEX_STYLESHEET, allowBreaksAfterCommas, katexFontUrl } from './katex-assets';
import { compileMdxPage } from './mdx';

const katexDist = dirname(createRequire(import.meta.url).resolve('katex/dist/katex.min.css'));

// scripts/copy-static-assets.mjs copies katex/dist into public/katex/ at build time, so every URL
// a page links or preloads must name a file of the installed package.
describe('KaTeX asset URLs', () => {
  it('name the installed stylesheet and, for every face the pipeline reports, an installed woff2 font', async () => {
    expect(existsSync(join(katexDist, basename(KATEX_STYLESHEET)))).toBe(true);
    const source = '$x \\in \\mathbb{R}^{d}$, $\\mathbf{W}$, $\\mathcal{L}$, $\\texttt{r}$\n\n$$\n\\sum_i \\Big( \\frac{a}{b} \\Big)\n$$';
    const { katexFaces } = await compileMdxPage(source, 'faces.mdx');
    expect(katexFaces.length).toBeGreaterThan(4);
    for (const face of katexFaces) expect(existsSync(join(katexDist, 'fonts', basename(katexFontUrl(face)))), face).toBe(true);
  }, 60_000);
});

describe('allowBreaksAfterCommas', () => {
  it('adds a break opportunity after each top-level comma', () => {
    expect(allowBreaksAfterCommas('-1, -0.696, \\dots, 1')).toBe('-1,\\allowbreak  -0.696,\\allowbreak  \\dots,\\allowbreak  1');
  });
  it('leaves commas in groups, delimiters, environments and the thin space \\, alone', () => {
    for (const tex of ['x_{i,j}', '\\left( a, b \\right)', '\\begin{pmatrix} a, b \\end{pmatrix}', 'a\\,b', '\\text{a, b}', 'a,']) {
      expect(allowBreaksAfterCommas(tex)).toBe(tex);
    }
  });
});

describe('compileMdxPage', () => {
  beforeAll(() => compileMdxPage('```js\n1\n```', 'warm-up.mdx'), 60_000);

  it('lists the KaTeX faces the math is set in', async () => {
    const faces = async (source: string) => (await compileMdxPage(source, 'test.mdx')).katexFaces;
    expect(await faces('No math here.')).toEqual([]);
    expect(await faces('A variable $x$.')).toEqual(['Math-Italic']);
    expect(await faces('$W \\in \\mathbb{R}^{d}$')).toEqual(['AMS-Regular', 'Main-Regular', 'Math-Italic']);
    expect(await faces('$$\n\\sum_i \\mathbf{w}_i\n$$')).toEqual(expect.arrayContaining(['Main-Bold', 'Size2-Regular']));
  });

  it('lets long inline lists wrap after commas but renders the same symbols', async () => {
    const { Content } = await compileMdxPage('$-1, -0.5, 1$', 'test.mdx');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { createElement } = await import('react');
    const html = renderToStaticMarkup(createElement(Content));
    // KaTeX starts a new box, which a line may break before, at each \allowbreak (the TeX annotation shows them).
    expect(html.match(/class="base"/g)?.length).toBe(3);
    expect(html).toContain('-1,\\allowbreak  -0.5,\\allowbreak  1');
  });
});
