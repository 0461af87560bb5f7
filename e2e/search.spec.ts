import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousAxeViolations, waitForHydration, watchPage } from './support';

/** Opens the search dialog from the header button and types `query`. */
async function searchFor(page: Page, query: string) {
  await page.getByTestId('site-search-open').click();
  const input = page.getByTestId('site-search-input');
  await expect(input).toBeFocused();
  await input.fill(query);
  return page.getByTestId('site-search-results');
}

test.describe('site search', () => {
  test('loads the index only when used, and finds the LoRA page with an excerpt', async ({ page }) => {
    const watch = watchPage(page);
    await page.goto('/');
    await waitForHydration(page);
    expect(watch.requests.filter((url) => url.includes('/pagefind/'))).toEqual([]);

    const results = await searchFor(page, 'LoRA');
    const lora = results.locator('a[href="/methods/lora/"]');
    await expect(lora).toBeVisible();
    // The page about LoRA ranks ahead of the many pages that mention it.
    const top3 = await results.getByRole('link').evaluateAll((links) => links.slice(0, 3).map((a) => a.getAttribute('href')));
    expect(top3).toContain('/methods/lora/');
    await expect(lora).toContainText('LoRA');
    await expect(lora.locator('mark').first()).toHaveText(/lora/i);
    await expect(page.getByTestId('site-search').getByRole('status')).toHaveText(/\d+ results? for “LoRA”/);
    expect(watch.requests.some((url) => url.endsWith('/pagefind/pagefind.js'))).toBe(true);
    expect(watch.external()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  test('finds models by name and by Hugging Face id, linking to the calculator with the model chosen', async ({ page }) => {
    await page.goto('/methods/');
    await waitForHydration(page);
    let results = await searchFor(page, 'Llama 2 7B');
    await expect(results.locator(`a[href="/calculator/?model=${encodeURIComponent('meta-llama/Llama-2-7b-hf')}"]`)).toBeVisible();

    const input = page.getByTestId('site-search-input');
    await input.fill('t5-large');
    results = page.getByTestId('site-search-results');
    const t5 = results.locator('a[href="/calculator/?model=t5-large"]');
    await expect(t5).toBeVisible();
    await expect(t5).toContainText('Model in the calculator');
    await t5.click();
    await expect(page).toHaveURL(/\/calculator\/\?model=t5-large/);
    await waitForHydration(page);
    await expect(page.getByTestId('calc-model')).toHaveValue('t5-large');
  });

  test('opens with / and Ctrl+K, moves through results with the arrow keys, closes with Escape', async ({ page }) => {
    await page.goto('/about/');
    await waitForHydration(page);
    const dialog = page.getByTestId('site-search');
    const input = page.getByTestId('site-search-input');
    await expect(dialog).toBeHidden();

    await page.keyboard.press('/');
    await expect(dialog).toBeVisible();
    await expect(page.getByRole('dialog', { name: 'Search methods, pages and models' })).toBeVisible();
    await expect(input).toBeFocused();
    await expect(input).toHaveValue('');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.keyboard.press('Control+k');
    await expect(dialog).toBeVisible();
    await expect(input).toBeFocused();
    await page.keyboard.type('adapter');
    // Each keystroke searches; wait for the last one's results before moving through them.
    await expect(dialog.getByRole('status')).toHaveText(/results? for “adapter”/);
    const links = page.getByTestId('site-search-results').getByRole('link');
    await expect(links.first()).toBeVisible();
    expect(await links.count()).toBeGreaterThan(1);

    await page.keyboard.press('ArrowDown');
    await expect(links.nth(0)).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(links.nth(1)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(input).toBeFocused();

    await page.keyboard.press('ArrowDown');
    const target = await links.nth(0).getAttribute('href');
    await page.keyboard.press('Enter');
    // The page may add its own settings to the URL once loaded (a method page's calculator does), so
    // compare the path and the result's own query parameters only.
    const wanted = new URL(target ?? '', page.url());
    await expect(page).toHaveURL((url) => url.pathname === wanted.pathname && [...wanted.searchParams].every(([k, v]) => url.searchParams.get(k) === v));
  });

  test('typing / in a form field types a slash instead of opening search', async ({ page }) => {
    await page.goto('/calculator/');
    await waitForHydration(page);
    const model = page.getByTestId('calc-model');
    await model.fill('');
    await model.pressSequentially('meta-llama/');
    await expect(model).toHaveValue('meta-llama/');
    await expect(page.getByTestId('site-search')).toBeHidden();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test.describe(`${colorScheme} theme at 375 px`, () => {
      test.use({ colorScheme, viewport: { width: 375, height: 740 } });

      test('the dialog fits the screen and axe finds nothing serious', async ({ page }) => {
        await page.goto('/');
        await waitForHydration(page);
        await searchFor(page, 'prefix');
        await expect(page.getByTestId('site-search-results').getByRole('link').first()).toBeVisible();
        const box = await page.getByTestId('site-search').boundingBox();
        expect(box?.x).toBeGreaterThanOrEqual(0);
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(375);
        await expectNoSeriousAxeViolations(page, `search dialog (${colorScheme}, 375 px)`, '[data-testid="site-search"]');
      });
    });
  }
});
