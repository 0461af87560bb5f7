import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMdx } from './mdx';

async function render(source: string): Promise<string> {
  const Content = await compileMdx(source, 'test.mdx');
  return renderToStaticMarkup(createElement(Content));
}

describe('compileMdx', () => {
  // The first compile loads Shiki's grammars and themes, which takes a few seconds on 2 cores.
  beforeAll(() => render('```js\n1\n```'), 60_000);

  it('renders inline and display math with KaTeX', async () => {
    const html = await render('Rank $r$ update:\n\n$$\nW = W_0 + BA\n$$\n');
    expect(html).toContain('class="katex"');
    expect(html).toContain('katex-display');
  });

  it('renders GFM tables', async () => {
    const html = await render('| a | b |\n| - | - |\n| 1 | 2 |\n');
    expect(html).toMatch(/<table>[\s\S]*<td>1<\/td>/);
  });

  it('highlights code at build time with both themes', async () => {
    const html = await render('```python\nx = 1\n```\n');
    expect(html).toContain('class="shiki');
    expect(html).toContain('--shiki-dark');
  });

  it('gives headings ids and anchors', async () => {
    const html = await render('## The idea\n');
    expect(html).toMatch(/<h2 id="the-idea">The idea<a[^>]*href="#the-idea"/);
  });

  it('fails with the file name on invalid math', async () => {
    await expect(compileMdx('$\\frac{1}{$', 'content/methods/broken.mdx')).rejects.toThrow(/content\/methods\/broken.mdx/);
  });
});
