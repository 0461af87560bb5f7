import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Fragment, createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMBED_FOLLOWING_HEADINGS, EMBED_HEADINGS } from './embed-headings';
import { compileMdx } from './mdx';
import { METHODS_DIR, PAGES_DIR, splitContentFile } from './pages';
import { tocFromMdx, type TocEntry } from './toc';

/** Stand-ins for the embedded components: the box heading each one renders (ids from EMBED_HEADINGS). */
const embeds = {
  Playground: () => createElement('h2', { id: EMBED_HEADINGS.Playground.id }, 'Try it'),
  // The calculator, then the measured results the page maps <Calculator> to (mdx/components.tsx).
  Calculator: () =>
    createElement(
      Fragment,
      null,
      createElement('h2', { id: EMBED_HEADINGS.Calculator.id }, 'Calculator'),
      createElement('h2', { id: EMBED_FOLLOWING_HEADINGS.Calculator[0].id }, 'Measured'),
    ),
  // Renders a table, no headings.
  CostValidationTable: () => null,
  // A chart in a figure, no headings.
  PromptScaleChart: () => null,
  ReloraRankChart: () => null,
  TransferResults: () => null,
};

/** Compiles with the site's real pipeline (KaTeX, Shiki, slugs, anchors) and reads the h2/h3 ids of the HTML. */
async function builtHeadings(source: string): Promise<{ depth: number; id: string }[]> {
  const Content = await compileMdx(source, 'test.mdx');
  const html = renderToStaticMarkup(createElement(Content, { components: embeds }));
  return [...html.matchAll(/<h([23])\b[^>]*\bid="([^"]+)"/g)].map((m) => ({ depth: Number(m[1]), id: m[2]! }));
}

const ids = (toc: TocEntry[]) => toc.map((e) => ({ depth: e.depth, id: e.id }));

describe('tocFromMdx', () => {
  // The first compile loads Shiki's grammars and themes, which takes a few seconds on 2 cores.
  beforeAll(() => builtHeadings('```js\n1\n```'), 60_000);

  const files = [PAGES_DIR, METHODS_DIR].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.mdx'))
      .map((f) => join(dir, f)),
  );

  it.each(files)('links to the ids the built page of %s has', async (file) => {
    const body = splitContentFile(readFileSync(file, 'utf8')).body;
    const toc = tocFromMdx(body);
    expect(ids(toc)).toEqual(await builtHeadings(body));
    for (const entry of toc) expect(entry.text, `${file}: ${entry.id}`).toMatch(/^[^$`*\\]+$/);
  });

  it('gives headings with math, code, links, emphasis and repeats the ids rehype-slug does', async () => {
    const source = [
      '# Title',
      '## Keeping $R$ orthogonal',
      '## The update $\\Delta W = BA$, with $W_0$ frozen',
      '## Which `target_modules` to pick',
      '## See [the paper](https://arxiv.org/abs/2106.09685) for *details*',
      '### Notes',
      '#### Deep heading',
      '### Notes',
      '```md',
      '## Not a heading: inside a code block',
      '```',
      '## Notes',
    ].join('\n\n');
    const toc = tocFromMdx(source);
    expect(ids(toc)).toEqual(await builtHeadings(source));
    expect(toc).toEqual([
      { depth: 2, id: 'keeping-r-orthogonal', text: 'Keeping R orthogonal' },
      { depth: 2, id: 'the-update-delta-w--ba-with-w_0-frozen', text: 'The update ΔW = BA, with W0 frozen' },
      { depth: 2, id: 'which-target_modules-to-pick', text: 'Which target_modules to pick' },
      { depth: 2, id: 'see-the-paper-for-details', text: 'See the paper for details' },
      { depth: 3, id: 'notes', text: 'Notes' },
      { depth: 3, id: 'notes-1', text: 'Notes' },
      { depth: 2, id: 'notes-2', text: 'Notes' },
    ]);
  });

  it('lists the playground, and the calculator with the measured results after it, where the page embeds them', async () => {
    const source = '## The idea\n\nText.\n\n<Playground method="lora" />\n\n## More\n\n<Calculator method="lora" />\n';
    const toc = tocFromMdx(source);
    expect(toc.map((e) => e.id)).toEqual([
      'the-idea',
      EMBED_HEADINGS.Playground.id,
      'more',
      EMBED_HEADINGS.Calculator.id,
      EMBED_FOLLOWING_HEADINGS.Calculator[0].id,
    ]);
    expect(ids(toc)).toEqual(await builtHeadings(source));
  });
});
