import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { METHOD_IDS, expectNoSeriousAxeViolations, waitForHydration } from './support';

// The table's source of truth, read (never written) so the expected counts follow the data.
const taxonomy = JSON.parse(readFileSync('content/data/taxonomy.json', 'utf8')) as {
  methods: { id: string; name: string; category: string; paper: { year: number } | null }[];
};
const total = taxonomy.methods.length;
const idsIn = (category: string) => taxonomy.methods.filter((m) => m.category === category).map((m) => m.id).sort();

const rows = (page: Page) => page.locator('tbody tr[data-method]');
const rowIds = async (page: Page) => (await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method') ?? ''))).sort();
const count = (page: Page) => page.getByTestId('methods-count');
// The table's own search, not the site search in the header.
const searchBox = (page: Page) => page.getByRole('main').getByLabel('Search', { exact: true });
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
  await searchBox(page).fill('lora');
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
  await searchBox(page).fill('zzz-no-such-method');
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

// ---------------------------------------------------------------------------------------------
// The cost columns (registry + cost model on the reference model)
// ---------------------------------------------------------------------------------------------

/** Ids of the implemented methods: one file each in lib/peft/methods/, every one registered. */
const implemented = METHOD_IDS;
const costCell = (page: Page, id: string, col: string) => page.locator(`tr[data-method="${id}"] td[data-col="${col}"]`);
const showCosts = async (page: Page) => {
  await page.getByRole('radio', { name: /^Costs on / }).check({ force: true });
  await expect(page).toHaveURL(/[?&]view=costs(&|$)/);
};

test('the cost view shows computed traits for every method of the taxonomy', async ({ page }) => {
  await page.goto('/methods/');
  await waitForHydration(page);
  await showCosts(page);
  await expect(page.getByRole('columnheader', { name: /Checkpoint per task/ })).toBeVisible();

  await expect(costCell(page, 'lora', 'mergeable')).toHaveText('Yes');
  await expect(costCell(page, 'lora', 'inference')).toHaveText('None once merged');
  await expect(costCell(page, 'lst', 'backprop')).toHaveText('No');
  await expect(costCell(page, 'prompt-tuning', 'inference')).toContainText('Longer input');
  // Every taxonomy method is implemented: none says "not implemented yet", and all carry figures.
  await expect(page.locator('[data-testid="not-implemented"]')).toHaveCount(0);
  expect([...implemented].sort()).toEqual(taxonomy.methods.map((m) => m.id).sort());
  const withFigures = await page.locator('tr[data-method]:has(td[data-col="checkpoint"])').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method') ?? '').sort());
  expect(withFigures).toEqual([...implemented]);
});

test('cost filters: mergeable, no backprop through the backbone, implemented only', async ({ page }) => {
  await page.goto('/methods/?view=costs');
  await waitForHydration(page);

  await page.getByRole('combobox', { name: /^Inference overhead\b/ }).selectOption('mergeable');
  await expect(page).toHaveURL(/[?&]inference=mergeable(&|$)/);
  const mergeable = await rowIds(page);
  expect(mergeable).toContain('lora');
  expect(mergeable).not.toContain('adapters');
  expect(mergeable).toContain('dora');
  expect(mergeable).not.toContain('unipelt');
  for (const id of mergeable) await expect(costCell(page, id, 'mergeable')).toHaveText('Yes');

  await page.getByRole('combobox', { name: /^Inference overhead\b/ }).selectOption('');
  await page.getByRole('combobox', { name: /^Backprop through backbone\b/ }).selectOption('not-through');
  await expect(page).toHaveURL(/[?&]backprop=not-through(&|$)/);
  // The methods whose files declare no backprop through the backbone (read from the files, as
  // METHOD_IDS is: the registry does not load in Playwright).
  const sideMethods = METHOD_IDS.filter((id) => readFileSync(`lib/peft/methods/${id}.ts`, 'utf8').includes('backpropThroughBackbone: false'));
  expect(sideMethods).toEqual(expect.arrayContaining(['lst', 'lets', 'attention-fusion']));
  await expect(rows(page)).toHaveCount(sideMethods.length);
  expect([...(await rowIds(page))].sort()).toEqual([...sideMethods].sort());

  await page.getByRole('combobox', { name: /^Backprop through backbone\b/ }).selectOption('');
  await page.getByLabel('Implemented only').check();
  await expect(rows(page)).toHaveCount(implemented.length);
  await expect(count(page)).toHaveText(`Showing ${implemented.length} of ${total} methods`);
});

test('sorting by a numeric column orders the figures, methods without figures last', async ({ page }) => {
  await page.goto('/methods/?view=costs');
  await waitForHydration(page);
  const header = page.getByRole('columnheader', { name: /Training memory/ });
  const values = async () =>
    (await rows(page).evaluateAll((trs) => trs.map((tr) => tr.querySelector('td[data-col="memory"]')?.getAttribute('data-value') ?? null))).map((v) => (v === null ? null : Number(v)));

  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/[?&]sort=memory(&|$)/);
  const asc = await values();
  const ascNumbers = asc.filter((v): v is number => v !== null);
  expect(ascNumbers).toHaveLength(implemented.length);
  expect(ascNumbers).toEqual([...ascNumbers].sort((a, b) => a - b));
  expect(asc.slice(0, implemented.length).every((v) => v !== null), 'figures first').toBe(true);
  // Full fine-tuning is the unit (100%); Diff Pruning's dense difference and gates need more.
  expect(ascNumbers).toContain(1);
  const byId = async (id: string) => Number(await costCell(page, id, 'memory').getAttribute('data-value'));
  expect(await byId('diff-pruning')).toBeGreaterThan(1);

  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  const desc = (await values()).filter((v): v is number => v !== null);
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  expect(desc[0]).toBeGreaterThan(1);
});

test('the methods page links to the survey’s table', async ({ page }) => {
  await page.goto('/methods/');
  await page.getByRole('link', { name: 'its table next to ours' }).click();
  await expect(page).toHaveURL(/\/methods\/survey-table\/$/);
});

test.describe('the cost view at phone width', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('scrolls inside its own box with the method column in view', async ({ page }) => {
    await page.goto('/methods/?view=costs');
    await waitForHydration(page);
    const box = page.getByTestId('methods-scroll');
    const { scrollWidth, clientWidth } = await box.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    expect(scrollWidth).toBeGreaterThan(clientWidth);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    // The first row's method name stays at the box's left edge after scrolling to the far right.
    const name = rows(page).first().locator('th');
    const boxLeft = (await box.boundingBox())?.x ?? -1;
    const { x } = (await name.boundingBox()) ?? { x: -1 };
    expect(Math.abs(x - boxLeft)).toBeLessThanOrEqual(1);
  });
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test(`the cost view has no serious axe violations`, async ({ page }) => {
      await page.goto('/methods/?view=costs&sort=trainable');
      await waitForHydration(page);
      if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      await expect(page.getByRole('columnheader', { name: /Trained share/ })).toBeVisible();
      await expectNoSeriousAxeViolations(page, `/methods/?view=costs (${theme})`);
    });
  });
}
