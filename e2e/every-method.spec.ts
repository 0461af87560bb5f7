import { expect, test } from '@playwright/test';
import { METHOD_IDS, waitForHydration, watchPage } from './support';

/**
 * Every implemented method, in the browser: its page's playground trains it on WASM and the loss
 * falls below where it started, and its calculator gives a count for the default model.
 */
test.describe('every implemented method', () => {
  test.describe.configure({ timeout: 120_000 });

  for (const id of METHOD_IDS) {
    test(`${id}: the playground lowers the loss on WASM and the calculator counts`, async ({ page }) => {
      const watch = watchPage(page);
      await page.goto(`/methods/${id}/`);
      await waitForHydration(page);
      await expect(page.getByTestId('calc-trainable')).toHaveAttribute('data-value', /^\d+$/);

      const playground = page.getByTestId('playground');
      await page.getByTestId('pg-backend-select').selectOption('wasm');
      await page.getByTestId('pg-stop-at-target').uncheck();
      await playground.getByLabel('Steps', { exact: true }).fill('40');
      await page.getByTestId('pg-start').click();
      await expect(page.getByTestId('pg-status')).toContainText('Finished after 40 steps', { timeout: 110_000 });
      // One batch's loss is noisy (IPT's moves ±0.3 around a slow fall): the means of the first and
      // the last five steps.
      const readouts = page.locator('dl[data-loss-start]');
      const [first, last] = [Number(await readouts.getAttribute('data-loss-start')), Number(await readouts.getAttribute('data-loss-end'))];
      expect(first).toBeGreaterThan(0);
      expect(last).toBeLessThan(first);
      expect(watch.errors).toEqual([]);
    });
  }
});
