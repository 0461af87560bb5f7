import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { isLocal } from './support';

test.describe('math', () => {
  test('LoRA page renders its math with KaTeX, and the KaTeX fonts come from this site', async ({ page }) => {
    const fonts: { url: string; status: number }[] = [];
    page.on('response', (res) => {
      if (/\.(woff2?|ttf)(\?|$)/.test(res.url())) fonts.push({ url: res.url(), status: res.status() });
    });
    await page.goto('/methods/lora/', { waitUntil: 'networkidle' });

    // Rendered at build time: KaTeX HTML, not raw TeX.
    expect(await page.locator('.katex').count()).toBeGreaterThan(5);
    await expect(page.locator('.katex-display').first()).toBeVisible();
    // No TeX source is left as visible text (KaTeX keeps it only in its hidden MathML annotation).
    const visibleText = await page.locator('article .prose').evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('.katex, pre, code').forEach((n) => n.remove());
      return copy.textContent ?? '';
    });
    expect(visibleText).not.toMatch(/\$|\\(frac|mathbb|cdot|alpha)\b/);
    await expect(page.locator('.katex .katex-html').first()).toBeVisible();
    await expect(page.locator('.katex-error')).toHaveCount(0);

    // The KaTeX stylesheet is applied (it sets the font) ...
    const fontFamily = await page.locator('.katex').first().evaluate((el) => getComputedStyle(el).fontFamily);
    expect(fontFamily).toContain('KaTeX_Main');

    // ... and its fonts were actually loaded, from localhost.
    await page.evaluate(() => document.fonts.ready);
    const loadedKatexFaces = await page.evaluate(() =>
      [...document.fonts].filter((f) => f.family.replace(/["']/g, '').startsWith('KaTeX_') && f.status === 'loaded').map((f) => f.family),
    );
    expect(loadedKatexFaces.map((f) => f.replace(/["']/g, ''))).toContain('KaTeX_Main');
    const katexFonts = fonts.filter((f) => /KaTeX_/.test(f.url));
    expect(katexFonts.some((f) => f.url.endsWith('.woff2') && f.status === 200 && isLocal(f.url)), JSON.stringify(fonts, null, 2)).toBe(true);
    expect(katexFonts.filter((f) => !isLocal(f.url) || f.status !== 200), 'KaTeX font responses').toEqual([]);
  });
});

test.describe('citations', () => {
  for (const path of ['/about/', '/methods/lora/']) {
    test(`${path} shows a BibTeX citation block`, async ({ page }) => {
      await page.goto(path);
      const citation = page.getByTestId('citation');
      await expect(citation).toHaveCount(1);
      await expect(citation.getByRole('button', { name: 'Copy BibTeX' })).toBeVisible();
      const bibtex = citation.locator('pre code');
      await expect(bibtex).toHaveText(/^@(article|inproceedings)\{\w+,\n(.|\n)*\n\}$/);
      await expect(bibtex).toContainText('year = {');
    });
  }
});

test.describe('code highlighting', () => {
  // Shiki only has work to do when some MDX page has a fenced code block in a programming language
  // (```text diagrams are shown as they are).
  const contentDirs = ['content/methods', 'content/pages'];
  const pagesWithCode = contentDirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.mdx'))
      .filter((f) => /^(```|~~~)(?!text\b)\w+/m.test(readFileSync(join(dir, f), 'utf8')))
      .map((f) => ({ dir, slug: f.replace(/\.mdx$/, '') })),
  );

  test('fenced code in MDX is highlighted by Shiki', async ({ page }) => {
    test.skip(pagesWithCode.length === 0, 'no MDX page has a fenced code block yet');
    for (const { dir, slug } of pagesWithCode) {
      const path = dir === 'content/methods' ? `/methods/${slug}/` : `/${slug}/`;
      await page.goto(path);
      await expect(page.locator('pre.shiki').first(), `highlighted code on ${path}`).toBeVisible();
      // Highlighted means coloured tokens, not one plain run of text.
      expect(await page.locator('pre.shiki span[style*="--shiki-light"]').count()).toBeGreaterThan(1);
    }
  });
});

test.describe('heading anchors', () => {
  test('LoRA page h2 headings carry ids and a self-link', async ({ page }) => {
    await page.goto('/methods/lora/');
    const headings = page.locator('article .prose h2[id]');
    const count = await headings.count();
    expect(count).toBeGreaterThan(1);
    for (let i = 0; i < count; i++) {
      const h2 = headings.nth(i);
      const id = await h2.getAttribute('id');
      expect(id).toMatch(/^[a-z0-9-]+$/);
      const anchor = h2.locator('a.heading-anchor');
      await expect(anchor).toHaveCount(1);
      await expect(anchor).toHaveAttribute('href', `#${id}`);
    }
    // The ids are unique on the page.
    const ids = await page.locator('[id]').evaluateAll((els) => els.map((el) => el.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('following a heading anchor scrolls to the heading', async ({ page }) => {
    await page.goto('/methods/lora/');
    const h2 = page.locator('article .prose h2[id]').last();
    const id = await h2.getAttribute('id');
    await page.goto(`/methods/lora/#${id}`);
    await expect(h2).toBeInViewport();
  });
});
