import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectNoSeriousAxeViolations, waitForHydration } from './support';

/** Every taxonomy method id, read from the data file (its JSON import does not load in Playwright). */
const TAXONOMY_IDS: string[] = (JSON.parse(readFileSync('content/data/taxonomy.json', 'utf8')) as { methods: { id: string }[] }).methods.map((m) => m.id);

test('the chart and the list link every taxonomy method to its page', async ({ page }) => {
  await page.goto('/lineage/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Method lineage');
  const chart = page.getByTestId('lineage-chart');
  expect(TAXONOMY_IDS.length).toBeGreaterThan(40);
  await expect(chart.locator('a[data-node]')).toHaveCount(TAXONOMY_IDS.length);
  for (const id of TAXONOMY_IDS) {
    await expect(chart.locator(`a[data-node="${id}"]`), id).toHaveAttribute('href', `/methods/${id}/`);
    await expect(page.getByTestId('lineage-list').locator(`#lineage-${id} a[href="/methods/${id}/"]`).first(), id).toBeVisible();
  }
});

test('DoRA is connected to LoRA, in the chart and in the list', async ({ page }) => {
  await page.goto('/lineage/');
  await expect(page.locator('[data-edge][data-parent="lora"][data-child="dora"]')).toHaveCount(1);
  await expect(page.locator('#lineage-dora')).toContainText('Builds on LoRA');
});

test('keyboard focus on a method lights up its ancestors and descendants, and nothing else', async ({ page }) => {
  await page.goto('/lineage/');
  await waitForHydration(page);
  const chart = page.getByTestId('lineage-chart');
  // Tab into the chart's box, then through its links until DoRA has focus.
  await page.getByRole('region', { name: /Lineage chart/ }).focus();
  for (let i = 0; i < TAXONOMY_IDS.length; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.getAttribute('data-node'))) === 'dora') break;
  }
  await expect(chart.locator('a[data-node="dora"]')).toBeFocused();
  await expect(chart.locator('a[data-node="dora"]')).toHaveAttribute('data-current', '');
  await expect(chart.locator('a[data-node="lora"]')).toHaveAttribute('data-lit', '');
  await expect(chart.locator('[data-edge][data-parent="lora"][data-child="dora"]')).toHaveAttribute('data-lit', '');
  await expect(chart.locator('a[data-node="prompt-tuning"]')).not.toHaveAttribute('data-lit', '');
  await expect(chart.locator('[data-edge][data-parent="lora"][data-child="vera"]')).not.toHaveAttribute('data-lit', '');
  // Dimmed, not hidden: a method outside the lineage fades.
  expect(Number(await chart.locator('a[data-node="prompt-tuning"]').evaluate((el) => getComputedStyle(el).opacity))).toBeLessThan(0.5);
  expect(Number(await chart.locator('a[data-node="lora"]').evaluate((el) => getComputedStyle(el).opacity))).toBe(1);

  // Focus moving to the next method moves the highlight with it.
  await page.keyboard.press('Tab');
  await expect(chart.locator('a[data-node="dora"]')).not.toHaveAttribute('data-current', '');
});

for (const theme of ['light', 'dark'] as const) {
  test(`no serious axe violations in the ${theme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    await page.goto('/lineage/');
    await waitForHydration(page);
    if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
    await expectNoSeriousAxeViolations(page, `/lineage/ (${theme})`);
  });
}

test('at 375 px the page does not scroll sideways; the chart scrolls inside its own box', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/lineage/');
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, `document is ${scrollWidth}px wide`).toBeLessThanOrEqual(clientWidth);
  const box = page.getByRole('region', { name: /Lineage chart/ });
  const inner = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(inner.scroll).toBeGreaterThan(inner.client);
  await box.evaluate((el) => el.scrollBy({ left: 400 }));
  expect(await box.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
});
