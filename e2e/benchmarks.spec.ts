import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { waitForHydration } from './support';

// The page's sources of truth, read (never written) so the expectations follow the data.
interface Spread {
  mean: number;
  std: number;
  n: number;
}
interface ToyRow {
  method: string;
  task: string;
  trainable: number;
  runs: unknown[];
  summary: { finalMetric: Spread; reached: number; peakTensorBytes: number };
}
const toy = JSON.parse(readFileSync('content/data/toy-benchmark.json', 'utf8')) as { rows: ToyRow[] };
const survey = JSON.parse(readFileSync('content/data/survey-results.json', 'utf8')) as { missing: string };
const taxonomy = JSON.parse(readFileSync('content/data/taxonomy.json', 'utf8')) as { methods: { id: string; category: string }[] };
const categoryOf = (id: string) => taxonomy.methods.find((m) => m.id === id)?.category ?? 'uncategorised';

const points = (page: Page) => page.getByTestId('scatter-point');
const tableRows = (page: Page) => page.getByTestId('toy-table').locator('tbody tr[data-method]');

/** Opens the page and returns the rows of the task it shows first (the select's value). */
async function open(page: Page): Promise<ToyRow[]> {
  await page.goto('/benchmarks/');
  await waitForHydration(page);
  const task = await page.getByTestId('toy-task').inputValue();
  const rows = toy.rows.filter((r) => r.task === task);
  expect(rows.length, `the toy benchmark has rows for the default task "${task}"`).toBeGreaterThan(0);
  return rows;
}

/** The Pareto front's size by its definition (cost ↓, exact match ↑), computed here independently of the page. */
function frontSize(rows: readonly ToyRow[], cost: (r: ToyRow) => number): number {
  const y = (r: ToyRow) => r.summary.finalMetric.mean;
  return rows.filter((p) => !rows.some((q) => cost(q) <= cost(p) && y(q) >= y(p) && (cost(q) < cost(p) || y(q) > y(p)))).length;
}

test('the toy chart plots one point per method of the default task and marks the Pareto front', async ({ page }) => {
  const rows = await open(page);
  await expect(points(page)).toHaveCount(rows.length);
  await expect(tableRows(page)).toHaveCount(rows.length);
  await expect(page.locator('[data-testid="scatter-point"][data-front="true"]')).toHaveCount(frontSize(rows, (r) => r.trainable));

  // The x toggle re-plots against peak memory: the chart's label and its front follow.
  await page.locator('label', { has: page.getByTestId('toy-x-memory') }).click();
  await expect(page.getByTestId('benchmark-scatter').locator('svg')).toHaveAttribute('aria-label', /^Peak tensor memory against/);
  await expect(page.locator('[data-testid="scatter-point"][data-front="true"]')).toHaveCount(frontSize(rows, (r) => r.summary.peakTensorBytes));
});

test('focusing a point shows its figures in a tooltip; arrow keys move to the next point, Escape hides it', async ({ page }) => {
  const rows = await open(page);
  const best = [...rows].sort((a, b) => b.summary.finalMetric.mean - a.summary.finalMetric.mean || a.method.localeCompare(b.method))[0]!;
  const tooltip = page.getByTestId('scatter-tooltip');
  await expect(tooltip).toHaveCount(0);

  await page.locator(`[data-testid="scatter-point"][data-method="${best.method}"]`).focus();
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toHaveAttribute('data-method', best.method);
  await expect(tooltip).toContainText(best.summary.finalMetric.mean.toFixed(3));
  await expect(tooltip).toContainText(`${best.summary.reached} of ${best.runs.length}`);

  if (rows.length > 1) {
    // Points are ordered by cost; from the best-scoring one, one of the two arrows moves to another point.
    await page.keyboard.press(best.trainable === Math.max(...rows.map((r) => r.trainable)) ? 'ArrowLeft' : 'ArrowRight');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).not.toHaveAttribute('data-method', best.method);
  }
  await page.keyboard.press('Escape');
  await expect(tooltip).toHaveCount(0);
});

test('unchecking a category removes its points from the chart and its rows from the table', async ({ page }) => {
  const rows = await open(page);
  const category = categoryOf(rows[0]!.method);
  const inCategory = rows.filter((r) => categoryOf(r.method) === category).length;

  await page.getByTestId('toy-categories').locator(`input[data-category="${category}"]`).uncheck();
  await expect(page.locator(`[data-testid="scatter-point"][data-category="${category}"]`)).toHaveCount(0);
  await expect(points(page)).toHaveCount(rows.length - inCategory);
  await expect(tableRows(page)).toHaveCount(rows.length - inCategory);
  if (inCategory === rows.length) await expect(page.getByTestId('scatter-empty')).toBeVisible();
  await expect(page.getByTestId('toy-count')).toContainText(`Showing ${rows.length - inCategory} of ${rows.length} method${rows.length === 1 ? '' : 's'}`);
});

test('the toy table sorts by trainable parameters, both ways', async ({ page }) => {
  await open(page);
  const values = async () => (await page.getByTestId('toy-table').locator('td[data-col="trainable"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value')))));
  const sortButton = page.getByTestId('toy-table').locator('button[data-sort="trainable"]');

  await sortButton.click();
  await expect(page.getByTestId('toy-table').locator('th[aria-sort="ascending"]')).toContainText('Trainable');
  const ascending = await values();
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));

  await sortButton.click();
  await expect(page.getByTestId('toy-table').locator('th[aria-sort="descending"]')).toContainText('Trainable');
  const descending = await values();
  expect(descending).toEqual([...ascending].sort((a, b) => b - a));
});

test('the toy benchmark CSV downloads with its header and one line per row', async ({ page }) => {
  await open(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-toy-benchmark-csv').click()]);
  expect(download.suggestedFilename()).toBe('toy-benchmark.csv');
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  expect(header.slice(0, 2)).toEqual(['task', 'method']);
  expect(header).toContain('final_exact_match_mean');
  expect(header).toContain('final_exact_match_std');
  expect(lines).toHaveLength(toy.rows.length + 1);
});

test('the survey experiments keep the missing-accuracy note in view', async ({ page }) => {
  await page.goto('/benchmarks/');
  const note = page.getByTestId('survey-missing');
  await expect(note).toBeVisible();
  await expect(note).toContainText(survey.missing);
  await expect(page.getByTestId('survey-counts-table')).toBeVisible();
});

test('at 375 px the tables scroll inside their own boxes, not the page', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await open(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const box = page.getByTestId('toy-table-scroll');
  expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});
