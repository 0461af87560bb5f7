import { expect, test } from '@playwright/test';
import { ROUTES, waitForHydration, watchPage } from './support';

test.describe('every route', () => {
  for (const route of ROUTES) {
    test(`${route.path} renders its heading, logs no errors and stays on localhost`, async ({ page }) => {
      const watch = watchPage(page);
      const response = await page.goto(route.path, { waitUntil: 'networkidle' });
      expect(response?.status(), `HTTP status of ${route.path}`).toBe(200);

      await expect(page.getByRole('heading', { level: 1 })).toHaveText(route.h1);
      await expect(page.locator('h1')).toHaveCount(1);
      await waitForHydration(page);
      // Let anything hydration or Link prefetching starts finish before judging the logs.
      await page.waitForLoadState('networkidle');

      expect(watch.requests.length, 'the page loaded at least itself').toBeGreaterThan(0);
      expect.soft(watch.errors, `console errors on ${route.path}`).toEqual([]);
      expect.soft(watch.external(), `requests that left localhost on ${route.path}`).toEqual([]);
    });
  }
});

test("a hybrid's page is written and offers its citation", async ({ page }) => {
  await page.goto('/methods/unipelt/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('UniPELT');
  await expect(page.getByText('Not built yet')).toHaveCount(0);
  const citation = page.getByTestId('citation');
  await expect(citation).toBeVisible();
  const bibtex = citation.getByLabel('BibTeX entry');
  await expect(bibtex).toContainText(/@\w+\{/);
  await expect(bibtex).toContainText(/title\s*=\s*\{[^}]*A Unified Framework for Parameter-Efficient/);
});

test('a written method page has no "Not built yet" note', async ({ page }) => {
  await page.goto('/methods/lora/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('LoRA');
  await expect(page.getByText('Not built yet')).toHaveCount(0);
  await expect(page.getByTestId('citation').getByLabel('BibTeX entry')).toContainText(/title\s*=\s*\{[^}]*LoRA/);
});

test('an unknown path gets the 404 page', async ({ page }) => {
  const response = await page.goto('/methods/no-such-method/');
  expect(response?.status()).toBe(404);
});
