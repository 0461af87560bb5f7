import { expect, test, type Page } from '@playwright/test';
import { waitForHydration, watchPage } from './support';

async function readout(page: Page, id: string): Promise<number> {
  return Number(await page.getByTestId(id).getAttribute('data-value'));
}

test('the playground says what Start downloads, and stops a default run at the target with its step and time', async ({ page }) => {
  test.setTimeout(180_000);
  const watch = watchPage(page);
  await page.goto('/methods/adapters/');
  await waitForHydration(page);
  await expect(page.getByTestId('pg-download')).toContainText(/Start downloads about [\d.]+ MB/);
  await expect(page.getByTestId('pg-stop-at-target')).toBeChecked();
  await page.getByTestId('pg-backend-select').selectOption('wasm');
  await page.getByTestId('pg-start').click();
  await expect(page.getByTestId('playground-target')).toContainText('Target: 75.0% held-out exact match');
  await expect(page.getByTestId('pg-status')).toContainText(/Finished after \d+ steps, at the target/, { timeout: 170_000 });
  const target = page.getByTestId('playground-target');
  await expect(target).toContainText(/Reached the target, 75.0% held-out exact match, at step \d+, [\d.]+ s after Start \(the run stopped there\)/);
  const step = Number(await target.getAttribute('data-step'));
  expect(step).toBe(await readout(page, 'pg-step'));
  expect(step % 10).toBe(0);
  expect(Number(await target.getAttribute('data-seconds'))).toBeGreaterThan(0);
  // The result shown is the evaluation that reached the target.
  expect(await readout(page, 'pg-accuracy')).toBeGreaterThanOrEqual(0.75);
  expect(watch.errors).toEqual([]);
  expect(watch.external()).toEqual([]);
});

test('the automatic backend times each backend that starts and says why it kept one', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/methods/bitfit/');
  await waitForHydration(page);
  await page.getByTestId('playground').getByLabel('Steps', { exact: true }).fill('10');
  await page.getByTestId('pg-start').click();
  await expect(page.getByTestId('pg-backend-reason')).toContainText(/the fastest of \d backends timed on this run's training steps, at [\d.]+ ms\/step|the only backend that runs here/, { timeout: 60_000 });
  // Headless Chromium here has no GPU adapter; every other backend is either slower or could not start.
  await expect(page.getByTestId('pg-status')).toContainText('WebGPU skipped: could not start: ');
  await expect(page.getByTestId('pg-status')).toContainText(/skipped: (measured [\d.]+ ms\/step, slower than|timing stopped after a step of)/);
  await expect(page.getByTestId('pg-status')).toContainText('Finished after 10 steps', { timeout: 60_000 });
});
