import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { METHOD_IDS, expectNoSeriousAxeViolations } from './support';

/**
 * The "Measured results" panel after each method page's calculator (components/methods/
 * MeasuredResults.tsx): the method's toy-benchmark rows and the survey authors' measured counts.
 * Expectations come from the datasets the page was built from.
 */

interface ToyRowLite {
  method: string;
  task: string;
  summary: { finalMetric: { mean: number; std: number; n: number } };
}

const toyRows: ToyRowLite[] = (JSON.parse(readFileSync('content/data/toy-benchmark.json', 'utf8')) as { rows: ToyRowLite[] }).rows;
const surveyFile = 'content/data/survey-results.json';

test.describe('measured results on a method page', () => {
  test('LoRA: a topic row with mean ± std as the dataset has it, the machine and the source', async ({ page }) => {
    const topic = toyRows.find((r) => r.method === 'lora' && r.task === 'topic');
    test.skip(!topic, 'content/data/toy-benchmark.json has no LoRA row on topic yet');
    await page.goto('/methods/lora/');
    const panel = page.getByTestId('measured-results');
    await expect(panel.getByRole('heading', { level: 2, name: 'Measured results' })).toBeVisible();
    // The table of contents links to it like any heading.
    await expect(page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Measured results' })).toHaveAttribute(
      'href',
      '#measured-heading',
    );

    const row = panel.getByTestId('measured-toy').locator('tr[data-task="topic"]');
    const { mean, std, n } = topic!.summary.finalMetric;
    const expected = n > 1 ? `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)}%` : `${(100 * mean).toFixed(1)}%`;
    await expect(row).toContainText(expected);
    if (n > 1) await expect(row).toContainText('±');
    await expect(row).toContainText(n === 1 ? '1 seed' : `${n} seeds`);
    await expect(panel.getByTestId('measured-machine')).toContainText(/Measured \d{4}-\d{2}-\d{2} on .+ TensorFlow\.js [\d.]+, \w+ backend/);
    await expect(panel).toContainText('scripts/benchmark-toy.ts');
    await expect(panel.getByRole('link', { name: 'All results' })).toHaveAttribute('href', '/benchmarks/');
    await expect(panel).not.toContainText(/NaN|Infinity|undefined/);
  });

  test('LoRA: the survey authors’ T5-Large count beside ours, with the missing-accuracy note', async ({ page }) => {
    test.skip(!existsSync(surveyFile), `${surveyFile} is not built yet`);
    await page.goto('/methods/lora/');
    const panel = page.getByTestId('measured-results');
    const survey = panel.getByTestId('measured-survey');
    // LoRA r = 8 on q and v of T5-Large: 2,359,296 trainable parameters in the authors' experiment
    // code (content/data/survey-v2-experiments.json); our count is the same.
    const large = survey.locator('tr[data-model="T5-Large"]').filter({ hasText: '2,359,296' }).first();
    await expect(large).toBeVisible();
    await expect(large.locator('[data-equal="true"]')).toHaveCount(1);
    await expect(panel.getByTestId('measured-missing')).toContainText(/accuracy/i);
    await expect(panel).not.toContainText(/NaN|Infinity|undefined/);
  });

  test('a method with no toy rows says how to measure it', async ({ page }) => {
    const measured = new Set(toyRows.map((r) => r.method));
    const unmeasured = METHOD_IDS.find((id) => !measured.has(id));
    test.skip(!unmeasured, 'every method has toy-benchmark rows');
    await page.goto(`/methods/${unmeasured}/`);
    const panel = page.getByTestId('measured-results');
    await expect(panel.getByTestId('measured-toy-missing')).toHaveText(`Not measured on the toy yet: npm run bench:toy -- --method ${unmeasured} --resume`);
    await expect(panel.getByTestId('measured-toy')).toHaveCount(0);
  });

  test.describe('at 375 px in the dark theme', () => {
    test.use({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
    test('the page does not widen, the tables scroll inside their box, and axe finds nothing serious', async ({ page }) => {
      await page.goto('/methods/lora/');
      await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      const panel = page.getByTestId('measured-results');
      await panel.scrollIntoViewIfNeeded();
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement!.scrollWidth,
        clientWidth: document.scrollingElement!.clientWidth,
      }));
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      const table = panel.getByTestId('measured-toy');
      if ((await table.count()) > 0) {
        const box = table.locator('xpath=..');
        const overflow = await box.evaluate((el) => el.scrollWidth > el.clientWidth);
        expect(overflow, 'the toy table is wider than a phone and scrolls inside its box').toBe(true);
      }
      await expectNoSeriousAxeViolations(page, 'measured results at 375px, dark', '[data-testid="measured-results"]');
    });
  });
});
