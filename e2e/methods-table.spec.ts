import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { waitForHydration } from './support';

// The table's source of truth, read (never written) so the expected counts follow the data.
const taxonomy = JSON.parse(readFileSync('content/data/taxonomy.json', 'utf8')) as {
  methods: { id: string; name: string; category: string; paper: { year: number } | null }[];
};
const total = taxonomy.methods.length;
const idsIn = (category: string) => taxonomy.methods.filter((m) => m.category === category).map((m) => m.id).sort();

const rows = (page: Page) => page.locator('tbody tr[data-method]');
const rowIds = async (page: Page) => (await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method') ?? ''))).sort();
const count = (page: Page) => page.getByTestId('methods-count');
// The <label> wraps the text and the <select>, so the accessible name is "Category <selected option>".
const categorySelect = (page: Page) => page.getByRole('combobox', { name: /^Category\b/ });

/** The Year column as numbers; a method without a paper shows "—" and counts as year 0. */
const years = async (page: Page) =>
  (await rows(page).locator('td:nth-child(4)').allTextContents()).map((t) => (t.trim() === '—' ? 0 : Number(t.trim())));

test.beforeAll(() => {
  expect(total, 'the taxonomy lists methods').toBeGreaterThan(10);
});

test('lists every method', async ({ page }) => {
  await page.goto('/methods/');
  await waitForHydration(page);
  await expect(count(page)).toHaveText(`Showing ${total} of ${total} methods`);
  await expect(rows(page)).toHaveCount(total);
  expect(await rowIds(page)).toEqual(taxonomy.methods.map((m) => m.id).sort());
});

test('the Category filter keeps only that category and updates the count and URL', async ({ page }) => {
  await page.goto('/methods/');
  await waitForHydration(page);
  const selective = idsIn('selective');
  expect(selective.length).toBeGreaterThan(0);
  expect(selective.length).toBeLessThan(total);

  await categorySelect(page).selectOption({ label: 'Selective' });
  await expect(rows(page)).toHaveCount(selective.length);
  expect(await rowIds(page)).toEqual(selective);
  await expect(page.locator('tr[data-method="bitfit"]')).toBeVisible();
  await expect(page.locator('tr[data-method="lora"]')).toHaveCount(0);
  await expect(count(page)).toHaveText(`Showing ${selective.length} of ${total} methods`);
  await expect(page).toHaveURL(/[?&]category=selective(&|$)/);

  // Back to All restores every row and a plain URL.
  await categorySelect(page).selectOption({ label: 'All' });
  await expect(rows(page)).toHaveCount(total);
  await expect(page).toHaveURL(/\/methods\/$/);
});

test('search by name keeps the matching methods', async ({ page }) => {
  await page.goto('/methods/');
  await waitForHydration(page);
  await page.getByLabel('Search').fill('lora');
  await expect(page.locator('tr[data-method="lora"]')).toBeVisible();
  await expect(page.locator('tr[data-method="bitfit"]')).toHaveCount(0);
  const ids = await rowIds(page);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.length).toBeLessThan(total);
  // The search matches name, id or paper title; each row shows name and title.
  for (const text of await rows(page).allInnerTexts()) expect(text.toLowerCase()).toContain('lora');
  await expect(count(page)).toHaveText(`Showing ${ids.length} of ${total} methods`);
  await expect(page).toHaveURL(/[?&]q=lora(&|$)/);

  // A search that matches nothing empties the table.
  await page.getByLabel('Search').fill('zzz-no-such-method');
  await expect(rows(page)).toHaveCount(0);
  await expect(count(page)).toHaveText(`Showing 0 of ${total} methods`);
});

test('a category in the URL preselects the filter', async ({ page }) => {
  await page.goto('/methods/?category=hybrid');
  await waitForHydration(page);
  await expect(categorySelect(page)).toHaveValue('hybrid');
  const hybrid = idsIn('hybrid');
  await expect(rows(page)).toHaveCount(hybrid.length);
  expect(await rowIds(page)).toEqual(hybrid);
  await expect(count(page)).toHaveText(`Showing ${hybrid.length} of ${total} methods`);
});

test('the Year header sorts ascending, then descending', async ({ page }) => {
  await page.goto('/methods/');
  await waitForHydration(page);
  const yearHeader = page.getByRole('columnheader', { name: /Year/ });
  const yearButton = yearHeader.getByRole('button');

  await yearButton.click();
  await expect(yearHeader).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/[?&]sort=year(&|$)/);
  const asc = await years(page);
  expect(asc).toHaveLength(total);
  expect(asc.every((y) => Number.isFinite(y))).toBe(true);
  expect(asc, 'years ascending').toEqual([...asc].sort((a, b) => a - b));
  expect(asc[0]).toBeLessThan(asc[asc.length - 1]!);

  await yearButton.click();
  await expect(yearHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/[?&]dir=desc(&|$)/);
  const desc = await years(page);
  expect(desc, 'years descending').toEqual([...desc].sort((a, b) => b - a));
  expect(desc[0]).toBeGreaterThan(desc[desc.length - 1]!);
});

test('Published since keeps only methods from that year on', async ({ page }) => {
  await page.goto('/methods/');
  await waitForHydration(page);
  const recent = taxonomy.methods.filter((m) => m.paper && m.paper.year >= 2023).map((m) => m.id).sort();
  expect(recent.length).toBeGreaterThan(0);

  await page.getByRole('combobox', { name: /^Published since\b/ }).selectOption('2023');
  await expect(rows(page)).toHaveCount(recent.length);
  expect(await rowIds(page)).toEqual(recent);
  expect((await years(page)).every((y) => y >= 2023)).toBe(true);
  await expect(page).toHaveURL(/[?&]since=2023(&|$)/);
});
