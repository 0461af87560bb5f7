import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousAxeViolations, waitForHydration, watchPage } from './support';

/** Reads a playground readout's raw value (its data-value attribute). */
async function readout(page: Page, id: string): Promise<number> {
  return Number(await page.getByTestId(id).getAttribute('data-value'));
}

/**
 * Runs a real fine-tune on the WASM backend and checks that it learns: the training loss falls
 * and held-out exact match rises above the base model's within the run's steps.
 */
async function trainAndCheck(page: Page, path: string, steps: number) {
  const watch = watchPage(page);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto(path);
  await waitForHydration(page);
  const playground = page.getByTestId('playground');
  await expect(playground).toBeVisible();
  // TensorFlow.js loads with the worker, and the worker only starts on demand.
  expect(workers).toEqual([]);

  await page.getByTestId('pg-backend-select').selectOption('wasm');
  // The whole run: these checks compare the start with the end of a fixed number of steps.
  await page.getByTestId('pg-stop-at-target').uncheck();
  await playground.getByLabel('Steps').fill(String(steps));
  await page.getByTestId('pg-start').click();
  await expect(page.getByTestId('pg-backend')).toHaveText('WebAssembly (WASM)', { timeout: 30_000 });
  expect(workers).toHaveLength(1);

  await expect.poll(() => readout(page, 'pg-step'), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  const earlyLoss = await readout(page, 'pg-loss');
  const tensorsEarly = await readout(page, 'pg-tensors');
  await expect(page.getByTestId('pg-status')).toContainText(`Finished after ${steps} steps`, { timeout: 150_000 });

  const finalLoss = await readout(page, 'pg-loss');
  const accuracy = await readout(page, 'pg-accuracy');
  const baseline = await readout(page, 'pg-baseline');
  expect(finalLoss).toBeLessThan(earlyLoss * 0.5);
  expect(accuracy).toBeGreaterThan(baseline + 0.3);
  // No tensor leak: the count during training does not grow with the steps.
  expect(await readout(page, 'pg-tensors')).toBe(tensorsEarly);
  await expect(page.getByTestId('pg-samples')).toBeVisible();
  expect(watch.errors).toEqual([]);
  expect(watch.external()).toEqual([]);
}

test.describe('playground', () => {
  test.describe.configure({ timeout: 240_000 });

  test('LoRA fine-tune on WASM lowers the loss and lifts held-out exact match', async ({ page }) => {
    await trainAndCheck(page, '/methods/lora/', 150);
  });

  test('Houlsby adapters fine-tune on WASM lower the loss and lift held-out exact match', async ({ page }) => {
    await trainAndCheck(page, '/methods/adapters/', 150);
  });
});

test('the playground offers the seven toy tasks, and a class-head method only the three with classes', async ({ page }) => {
  await page.goto('/methods/lora/');
  await waitForHydration(page);
  const task = page.getByTestId('playground').getByLabel('Task');
  const names = ['Topic classification', 'Odd one out', 'Same topic?', 'First word', 'Letter shift', 'Reverse', 'Echo'];
  await expect(task.locator('option')).toHaveText(names);
  await task.selectOption({ label: 'Echo' });
  await expect(page.getByTestId('playground')).toContainText('Copy a word after "=" instead of ">"');
  await page.goto('/methods/warp/');
  await waitForHydration(page);
  await expect(page.getByTestId('playground').getByLabel('Task').locator('option')).toHaveText(names.slice(0, 3));
});

test('playground rejects an impossible rank inline and keeps Start disabled', async ({ page }) => {
  await page.goto('/methods/lora/');
  await waitForHydration(page);
  await page.getByTestId('pg-hyper-r').fill('0');
  await expect(page.getByTestId('pg-form-error')).toHaveText('Rank r must be between 1 and 1024');
  await expect(page.getByTestId('pg-start')).toBeDisabled();
  await page.getByTestId('pg-hyper-r').fill('4');
  await expect(page.getByTestId('pg-trainable')).toHaveText('2,048');
  await expect(page.getByTestId('pg-start')).toBeEnabled();
});

test('without WebGPU the playground falls back, says why, and can be stopped', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/methods/prompt-tuning/');
  await waitForHydration(page);
  await page.getByTestId('pg-start').click();
  // Headless Chromium here has no GPU adapter: WebGPU is skipped with its reason shown, and the
  // automatic choice moves on to the next backend.
  await expect(page.getByTestId('pg-status')).toContainText('WebGPU skipped: ', { timeout: 30_000 });
  await expect(page.getByTestId('pg-backend')).not.toHaveText('WebGPU');
  await expect.poll(() => readout(page, 'pg-step'), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
  await page.getByTestId('pg-stop').click();
  await expect(page.getByTestId('pg-status')).toContainText(/Stopped after \d+ steps/, { timeout: 60_000 });
  expect(await readout(page, 'pg-step')).toBeLessThan(300);
});

for (const theme of ['light', 'dark'] as const) {
  test(`a finished run (chart, readouts, samples) has no serious axe violations, ${theme} theme`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: theme });
    await page.goto('/methods/bitfit/');
    await waitForHydration(page);
    await page.getByTestId('pg-backend-select').selectOption('wasm');
    await page.getByTestId('playground').getByLabel('Steps').fill('10');
    await page.getByTestId('pg-start').click();
    await expect(page.getByTestId('pg-status')).toContainText('Finished after 10 steps', { timeout: 60_000 });
    await expectNoSeriousAxeViolations(page, `the BitFit playground after a run (${theme})`, '[data-testid="playground"]');
  });
}
