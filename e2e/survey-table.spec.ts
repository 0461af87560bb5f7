import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectNoSeriousAxeViolations, waitForHydration } from './support';

// The survey's table as the site encodes it, read (never written) so expectations follow the data.
interface Cell {
  value: string;
  mark: string;
  support?: { sections: string[] };
}
const table = JSON.parse(readFileSync('content/data/survey-table.json', 'utf8')) as {
  rows: { name: string; method: string; cells: Record<string, Cell> }[];
};
const cells = table.rows.flatMap((r) => Object.values(r.cells));
const PATH = '/methods/survey-table/';

test('every survey cell carries its "recalled" mark, and supported cells name their section', async ({ page }) => {
  await page.goto(PATH);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The survey’s comparison, recomputed');
  await expect(page.locator('tbody tr')).toHaveCount(table.rows.length);

  // One mark per cell inside the table; the whole table is recalled.
  expect(cells.every((c) => c.mark === 'R')).toBe(true);
  await expect(page.locator('table [data-mark="recalled"]')).toHaveCount(cells.length);
  await expect(page.locator('table [data-mark="recalled"]').first()).toHaveText('recalled, not checked against the paper');
  await expect(page.getByRole('note')).toContainText('recalled, not checked against the paper');

  const supported = cells.filter((c) => c.support);
  expect(supported.length).toBeGreaterThan(0);
  await expect(page.locator('table [data-mark="supported"]')).toHaveCount(supported.length);
  // The LST row's backprop cell is supported by §8.1 and links to what the text says.
  const lstBackprop = page.locator('tr[data-method="lst"] td[data-axis="backprop"]');
  await expect(lstBackprop.locator('[data-mark="supported"]')).toContainText('v1 text §8.1');
  await lstBackprop.locator('[data-mark="supported"]').click();
  await expect(page).toHaveURL(/#text-lst-backpropReduced$/);
  await expect(page.locator('#text-lst-backpropReduced')).toContainText('side network');
});

test('disagreements are marked in the row and explained below', async ({ page }) => {
  await page.goto(PATH);
  const marked = page.locator('table [data-verdict="disagree"]');
  expect(await marked.count()).toBeGreaterThan(0);

  // (IA)³: the recalled table lists extra gating; our engine merges all three vectors.
  const ia3 = page.locator('tr[data-method="ia3"] td[data-axis="inference"]');
  await expect(ia3.locator('[data-verdict]')).toHaveAttribute('data-verdict', 'disagree');
  await expect(ia3).toContainText('Extra gating');
  await expect(ia3).toContainText('none once merged');
  await ia3.getByRole('link', { name: /disagrees/ }).click();
  const why = page.locator('#why-ia3-inference');
  await expect(why).toBeVisible();
  await expect(why).toContainText('l_ff');
  await expect(why).toContainText('Llama 2 7B');

  // Every disagreement in the table has its explanation, and the summary counts them.
  const listed = page.locator('[data-testid="disagreements"] li[data-verdict="disagree"]');
  await expect(listed).toHaveCount(await marked.count());
  await expect(page.getByTestId('survey-summary')).toContainText(`different answers ${await marked.count()} times`);

  // Agreement where the survey and our traits say the same; every method of the table is implemented now.
  await expect(page.locator('tr[data-method="lora"] td[data-axis="inference"] [data-verdict]')).toHaveAttribute('data-verdict', 'agree');
  await expect(page.locator('tr[data-method="attention-tuning"] td[data-axis="storage"] [data-verdict]').first()).toHaveAttribute('data-verdict', 'disagree');
  await expect(page.getByText('not implemented yet')).toHaveCount(0);
});

test('links back to the methods table', async ({ page }) => {
  await page.goto(PATH);
  await page.getByRole('link', { name: 'methods table' }).click();
  await expect(page).toHaveURL(/\/methods\/\?view=costs$/);
  await waitForHydration(page);
  await expect(page.getByRole('radio', { name: /^Costs on / })).toBeChecked();
});

test.describe('at phone width', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the table scrolls in its own box, the page does not', async ({ page }) => {
    await page.goto(PATH);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const box = page.getByRole('region', { name: 'The survey’s table next to ours' });
    expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  });
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('has no serious axe violations', async ({ page }) => {
      await page.goto(PATH, { waitUntil: 'networkidle' });
      await waitForHydration(page);
      if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      await expectNoSeriousAxeViolations(page, `${PATH} (${theme})`);
    });
  });
}
