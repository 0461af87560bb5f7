import { readdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ROUTES, expectNoSeriousAxeViolations, waitForHydration } from './support';

/** Every written method page (the ones with math, code and tables), besides the routes of every kind. */
const WRITTEN_METHODS = readdirSync('content/methods')
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => `/methods/${f.slice(0, -'.mdx'.length)}/`);
const ALL_PATHS = [...new Set([...ROUTES.map((r) => r.path), ...WRITTEN_METHODS])];

/** The pages whose charts must stay legible on a phone. */
const CHART_PAGES = ['/methods/lora/', '/compare/', '/calculator/'];

/**
 * Every text of every chart (svg[data-chart]) with its rendered font size in CSS pixels (computed
 * size times the SVG's scale on screen) and whether it lies inside its chart's box.
 */
async function chartTexts(page: Page) {
  return page.locator('svg[data-chart] text').evaluateAll((texts) =>
    texts.map((t) => {
      const svg = (t as SVGTextElement).ownerSVGElement!;
      const scale = svg.getScreenCTM()?.a ?? 1;
      const box = t.getBoundingClientRect();
      const frame = svg.getBoundingClientRect();
      return {
        text: t.textContent ?? '',
        px: parseFloat(getComputedStyle(t).fontSize) * scale,
        inside: box.left >= frame.left - 1 && box.right <= frame.right + 1,
      };
    }),
  );
}

/**
 * Sum of the layout shifts of elements inside <main> (the page's content, where the math is), as
 * Core Web Vitals count them: input-driven ones excluded.
 */
async function contentLayoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node: Node | null }[] };
        const main = document.querySelector('main');
        let sum = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as Shift[]) {
            if (!entry.hadRecentInput && entry.sources.some((s) => s.node && main?.contains(s.node))) sum += entry.value;
          }
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(sum), 500);
      }),
  );
}

test.describe('at phone width (375px)', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  for (const path of ALL_PATHS) {
    test(`${path} does not scroll sideways`, async ({ page }) => {
      await page.goto(path, { waitUntil: 'networkidle' });
      await page.evaluate(() => document.fonts.ready);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement!.scrollWidth,
        clientWidth: document.scrollingElement!.clientWidth,
      }));
      expect(clientWidth).toBe(375);
      expect(scrollWidth, `${path} is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
    });
  }

  for (const path of CHART_PAGES) {
    test(`${path}: chart text is at least 10px and inside its chart`, async ({ page }) => {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator('svg[data-chart]').first()).toBeVisible();
      const texts = await chartTexts(page);
      expect(texts.length).toBeGreaterThan(3);
      expect(texts.filter((t) => t.px < 10), 'chart text under 10px').toEqual([]);
      expect(texts.filter((t) => !t.inside), 'chart text cut off at the chart edge').toEqual([]);
    });
  }

  test('the playground chart on the LoRA page is legible once a run starts', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/methods/lora/');
    await waitForHydration(page);
    const playground = page.getByTestId('playground');
    await page.getByTestId('pg-backend-select').selectOption('wasm');
    await playground.getByLabel('Steps').fill('12');
    await page.getByTestId('pg-start').click();
    await expect(page.getByTestId('pg-status')).toContainText('Finished after 12 steps', { timeout: 60_000 });
    const chart = playground.locator('svg[data-chart]');
    await expect(chart).toBeVisible();
    const width = await chart.evaluate((svg) => svg.getBoundingClientRect().width);
    const box = await playground.evaluate((el) => el.getBoundingClientRect().width);
    expect(width, 'the chart is drawn at the width of its box').toBeLessThanOrEqual(box);
    const texts = await chartTexts(page);
    expect(texts.filter((t) => t.px < 10), 'chart text under 10px').toEqual([]);
    expect(texts.filter((t) => !t.inside), 'chart text cut off at the chart edge').toEqual([]);
  });

  test('a long page folds its table of contents above the text, and its links land', async ({ page }) => {
    await page.goto('/about/cost-model/');
    const toggle = page.locator('details summary', { hasText: 'On this page' });
    await expect(toggle).toBeVisible();
    const toc = page.getByRole('navigation', { name: 'On this page' });
    await expect(toc).toBeHidden();
    await toggle.click();
    await expect(toc).toBeVisible();
    const last = toc.getByRole('link').last();
    const id = (await last.getAttribute('href'))!.slice(1);
    await last.click();
    await expect(page.locator(`[id="${id}"]`)).toBeInViewport();
  });

  for (const path of ['/about/cost-model/', '/methods/lora/', '/compare/', '/calculator/']) {
    test(`${path} has no serious axe violations at phone width`, async ({ page }) => {
      await page.goto(path, { waitUntil: 'networkidle' });
      await waitForHydration(page);
      await expectNoSeriousAxeViolations(page, `${path} at 375px`);
    });
  }
});

test.describe('reading layout at 1280px', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the cost model page keeps a sticky table of contents beside text of a reading measure', async ({ page }) => {
    await page.goto('/about/cost-model/');
    const toc = page.getByRole('navigation', { name: 'On this page' });
    await expect(toc).toBeVisible();
    expect(await toc.getByRole('link').count()).toBeGreaterThanOrEqual(8);
    const paragraph = await page.locator('article .prose > p').first().boundingBox();
    const tocBox = await toc.boundingBox();
    // Beside the text, not above it, and lines of about 75 characters (41rem = 656px), not the full width.
    expect(tocBox!.x).toBeGreaterThan(paragraph!.x + paragraph!.width);
    expect(paragraph!.width).toBeLessThanOrEqual(660);
    expect(paragraph!.width).toBeGreaterThan(560);
    // Still in view at the bottom of a long page.
    await page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
    await expect(toc).toBeInViewport();
  });

  for (const route of ROUTES) {
    test(`${route.path}: every table-of-contents link has its target`, async ({ page }) => {
      await page.goto(route.path);
      const hrefs = await page.locator('nav[aria-label="On this page"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      for (const href of hrefs) {
        expect(href).toMatch(/^#./);
        expect(await page.locator(`[id="${href.slice(1)}"]`).count(), `target of ${href} on ${route.path}`).toBe(1);
      }
    });
  }
});

test.describe('math', () => {
  for (const path of ['/methods/lora/', '/about/cost-model/']) {
    test(`${path} preloads exactly the KaTeX fonts its math uses`, async ({ page }) => {
      // As served, before any script runs.
      const html = await (await page.request.get(path)).text();
      // (React writes a <link rel="preload"> twice, early as a resource and as the element; the browser fetches once.)
      const preloaded = [
        ...new Set(
          [...html.matchAll(/<link\b[^>]*>/g)]
            .filter((m) => /\brel="preload"/.test(m[0]) && /\bas="font"/.test(m[0]))
            .map((m) => /href="\/katex\/fonts\/KaTeX_([\w-]+)\.woff2"/.exec(m[0])?.[1] ?? m[0]),
        ),
      ].sort();
      await page.goto(path, { waitUntil: 'networkidle' });
      await page.evaluate(() => document.fonts.ready);
      const used = await page.evaluate(() =>
        [...document.fonts]
          .filter((f) => f.family.replace(/["']/g, '').startsWith('KaTeX_') && f.status === 'loaded')
          .map((f) => {
            const bold = f.weight === '700' || f.weight === 'bold';
            const italic = f.style === 'italic';
            return `${f.family.replace(/["']/g, '').slice('KaTeX_'.length)}-${`${bold ? 'Bold' : ''}${italic ? 'Italic' : ''}` || 'Regular'}`;
          })
          .sort(),
      );
      expect(used.length).toBeGreaterThan(0);
      expect(preloaded).toEqual(used);
    });
  }

  test('pages without math load no KaTeX stylesheet', async ({ page }) => {
    for (const path of ['/', '/compare/', '/calculator/']) {
      await page.goto(path);
      expect(await page.locator('link[rel="stylesheet"][href*="katex"]').count(), path).toBe(0);
    }
  });

  for (const viewport of [
    { width: 375, height: 740 },
    { width: 1280, height: 800 },
  ]) {
    test(`the LoRA page's content does not shift while it loads (${viewport.width}px, CPU slowed 4x)`, async ({ page }) => {
      await page.setViewportSize(viewport);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.goto('/methods/lora/', { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(1000);
      expect(await contentLayoutShift(page)).toBe(0);
    });
  }
});
