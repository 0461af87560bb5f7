import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { METHOD_IDS, expectNoSeriousAxeViolations, waitForHydration } from './support';

// The map's source of truth, read (never written) so expected counts follow the data.
const taxonomy = JSON.parse(readFileSync('content/data/taxonomy.json', 'utf8')) as {
  methods: { id: string; name: string; category: string; regions: string[]; survey: string }[];
};
const total = taxonomy.methods.length;
const fold = (s: string) => s.toLowerCase().replace(/[\s\-_.]+/g, '');
const loraFamily = taxonomy.methods.filter((m) => fold(m.name).includes('lora') || m.id.includes('lora')).map((m) => m.id);
const inSelective = taxonomy.methods.filter((m) => m.regions.includes('selective')).map((m) => m.id);
const later = taxonomy.methods.filter((m) => m.survey === 'beyond').map((m) => m.id);

const mapLinks = (page: Page) => page.locator('svg[data-taxonomy-svg] a[data-method]');
const mapLink = (page: Page, id: string) => page.locator(`svg[data-taxonomy-svg] a[data-method="${id}"]`);
const status = (page: Page) => page.getByTestId('map-match-count');
const focusedMethod = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-method') ?? null);
const dimmedIds = (page: Page) =>
  mapLinks(page).evaluateAll((links) => links.filter((a) => a.hasAttribute('data-dimmed')).map((a) => a.getAttribute('data-method') ?? ''));
const centre = async (locator: Locator) => {
  const box = await locator.locator('circle, rect:not(:first-child)').first().boundingBox();
  if (!box) throw new Error('no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
};

async function openMap(page: Page, path = '/taxonomy/') {
  await page.goto(path);
  await waitForHydration(page);
  // Hydrated: the map has exactly one tab stop.
  await expect(mapLinks(page).and(page.locator('[tabindex="0"]'))).toHaveCount(1);
}

/** Tabs from the search box into the map: past the filters (one radio group) and the zoom buttons. */
async function tabIntoMap(page: Page) {
  await page.getByLabel('Search the map').focus();
  for (let presses = 0; presses < 6; presses++) {
    await page.keyboard.press('Tab');
    const id = await focusedMethod(page);
    if (id) return id;
  }
  throw new Error('six presses of Tab did not reach the map');
}

test.beforeAll(() => {
  expect(loraFamily).toEqual(expect.arrayContaining(['lora', 'qlora', 'adalora']));
  expect(METHOD_IDS).toContain('lora');
});

test('every taxonomy method is a link on the map to its page', async ({ page }) => {
  await openMap(page);
  await expect(mapLinks(page)).toHaveCount(total);
  const hrefs = await mapLinks(page).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(hrefs.sort()).toEqual(taxonomy.methods.map((m) => `/methods/${m.id}/`).sort());
  // The figure's set names are drawn.
  for (const name of ['Additive', 'Adapters', 'Soft prompts', 'Selective', 'Reparametrization-based']) {
    await expect(page.locator('svg[data-taxonomy-svg] [data-set-name] text', { hasText: new RegExp(`^${name}$`) })).toHaveCount(1);
  }
});

test('the keyboard enters the map with Tab, moves with the arrows and opens a method with Enter', async ({ page }) => {
  await openMap(page);
  const first = await tabIntoMap(page);

  // Right moves to a method to the right; Down to one below.
  const before = await centre(mapLink(page, first));
  await page.keyboard.press('ArrowRight');
  const right = await focusedMethod(page);
  expect(right).not.toBe(first);
  expect((await centre(mapLink(page, right!))).x).toBeGreaterThan(before.x);

  await page.keyboard.press('ArrowDown');
  const down = await focusedMethod(page);
  expect(down).not.toBe(right);
  expect((await centre(mapLink(page, down!))).y).toBeGreaterThan((await centre(mapLink(page, right!))).y);

  // Only the focused method is a tab stop, so Shift+Tab leaves the map in one step.
  await expect(page.locator(`svg[data-taxonomy-svg] a[tabindex="0"]`)).toHaveAttribute('data-method', down!);

  await page.keyboard.press('Enter');
  // (A method page may add its calculator's settings to the URL.)
  await expect(page).toHaveURL(new RegExp(`/methods/${down}/(\\?|$)`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});

test('focus and hover show a card with the summary, year and key properties', async ({ page }) => {
  await openMap(page);
  const lora = mapLink(page, 'lora');
  await lora.focus();
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText('LoRA');
  await expect(tooltip).toContainText('Reparametrization-based');
  await expect(tooltip).toContainText(/20\d\d/);
  await expect(tooltip).toContainText('no overhead once merged');
  await expect(tooltip).toContainText('Backprop through the backbone: yes');
  await expect(lora).toHaveAttribute('aria-describedby', await tooltip.getAttribute('id') ?? 'missing');

  // A hybrid of the figure is implemented like every other method; a later method says it is later.
  await mapLink(page, 'unipelt').focus();
  await expect(tooltip).toContainText('UniPELT');
  await expect(tooltip).not.toContainText('Not implemented');
  await mapLink(page, 'dora').focus();
  await expect(tooltip).toContainText('DoRA');
  await expect(tooltip).toContainText('later method');
  await expect(tooltip).not.toContainText('Not implemented');

  // Hover shows the hovered method; leaving the map returns to the focused one.
  await mapLink(page, 'bitfit').hover();
  await expect(tooltip).toContainText('BitFit');
  await page.mouse.move(1, 1);
  await expect(tooltip).toContainText('DoRA');
  await page.getByLabel('Search the map').focus();
  await expect(tooltip).toHaveCount(0);
});

test('search highlights the LoRA family, dims the rest and announces the count', async ({ page }) => {
  await openMap(page);
  await expect(status(page)).toHaveText(`All ${total} methods shown.`);
  await page.getByLabel('Search the map').fill('lora');
  await expect(status(page)).toHaveText(`${loraFamily.length} of ${total} methods match “lora”.`);
  await expect(status(page)).toHaveAttribute('role', 'status');
  const dimmed = await dimmedIds(page);
  expect(dimmed).toHaveLength(total - loraFamily.length);
  for (const id of loraFamily) expect(dimmed).not.toContain(id);
  expect(dimmed).toEqual(expect.arrayContaining(['bitfit', 'prompt-tuning', 'dora']));
  await expect(page).toHaveURL(/[?&]q=lora(&|$)/);

  // Tab lands on a match and the arrows skip dimmed methods.
  const first = await tabIntoMap(page);
  expect(loraFamily).toContain(first);
  for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp']) {
    await page.keyboard.press(key);
    expect(loraFamily).toContain(await focusedMethod(page));
  }

  // Escape clears the search.
  await page.keyboard.press('Escape');
  await expect(status(page)).toHaveText(`All ${total} methods shown.`);
  expect(await dimmedIds(page)).toEqual([]);
  await expect(page.getByLabel('Search the map')).toHaveValue('');
});

test('the filters keep a family, the hybrids or the later methods', async ({ page }) => {
  await openMap(page);
  await page.getByText('Selective', { exact: true }).first().click();
  await expect(status(page)).toHaveText(`${inSelective.length} of ${total} methods in Selective.`);
  let dimmed = await dimmedIds(page);
  expect(dimmed).toHaveLength(total - inSelective.length);
  expect(dimmed).toContain('lora');
  expect(dimmed).not.toContain('s4');
  await expect(page).toHaveURL(/[?&]filter=selective(&|$)/);

  await page.getByText('Later methods', { exact: true }).click();
  await expect(status(page)).toHaveText(`${later.length} of ${total} methods among the later methods.`);
  dimmed = await dimmedIds(page);
  expect(dimmed).toContain('lora');
  expect(dimmed).not.toContain('dora');

  await page.getByText('All', { exact: true }).click();
  expect(await dimmedIds(page)).toEqual([]);
});

test('a shared link restores the search and filter', async ({ page }) => {
  await page.goto('/taxonomy/?q=adapter&filter=hybrid');
  await waitForHydration(page);
  await expect(page.getByLabel('Search the map')).toHaveValue('adapter');
  await expect(page.getByRole('radio', { name: 'Hybrid' })).toBeChecked();
  await expect(mapLink(page, 'mam-adapter')).not.toHaveAttribute('data-dimmed');
  await expect(mapLink(page, 'adapters')).toHaveAttribute('data-dimmed', '');
});

test('the list view holds every method as a link, zone by zone, and follows the search', async ({ page }) => {
  await openMap(page);
  await page.getByText('The map as a list, zone by zone').click();
  const items = page.locator('details li[data-method]');
  await expect(items).toHaveCount(total);
  await expect(page.locator('details').getByRole('link', { name: 'UniPELT' })).toHaveAttribute('href', '/methods/unipelt/');
  await expect(page.locator('details').getByText('Adapters, soft prompts and reparametrization-based (overlap)')).toBeVisible();
  await page.getByLabel('Search the map').fill('lora');
  await expect(page.locator('details li[data-method]:visible')).toHaveCount(loraFamily.length);
});

test('the map works without JavaScript: the figure and its links are in the HTML', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/taxonomy/');
  await expect(mapLinks(page)).toHaveCount(total);
  await expect(mapLink(page, 'lora')).toHaveAttribute('href', '/methods/lora/');
  await context.close();
});

test('the home page shows the map and links to the full one', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await expect(mapLinks(page)).toHaveCount(total);
  await expect(page.getByRole('link', { name: /Search and filter the map/ })).toHaveAttribute('href', '/taxonomy/');
  await mapLink(page, 'lora').focus();
  await expect(page.getByRole('tooltip')).toContainText('LoRA');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/methods\/lora\/(\?|$)/);
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });
    test(`/taxonomy/ has no serious axe violations, with a search and a card open`, async ({ page }) => {
      await page.goto('/taxonomy/', { waitUntil: 'networkidle' });
      await waitForHydration(page);
      if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      await expectNoSeriousAxeViolations(page, `/taxonomy/ (${theme})`);
      await page.getByLabel('Search the map').fill('ada');
      await page.getByText('The map as a list, zone by zone').click();
      await mapLink(page, 'adalora').focus();
      await expect(page.getByRole('tooltip')).toBeVisible();
      await expectNoSeriousAxeViolations(page, `/taxonomy/ (${theme}, searched, card open)`);
    });
  });
}

test.describe('on a phone (375 px)', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true });

  test('the map fits the page, opens with legible labels and zooms with its buttons', async ({ page }) => {
    await openMap(page);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth, 'no sideways scrolling of the page').toBeLessThanOrEqual(clientWidth);

    const svg = page.locator('svg[data-taxonomy-svg]');
    const svgBox = (await svg.boundingBox())!;
    expect(svgBox.x).toBeGreaterThanOrEqual(0);
    expect(svgBox.x + svgBox.width).toBeLessThanOrEqual(375);

    // Label size on screen: a text line's box is about 1.15 em high.
    const labelPx = async () => ((await mapLink(page, 'lora').locator('text').boundingBox())!.height / 1.15);
    expect(await labelPx()).toBeGreaterThanOrEqual(11);

    const before = await labelPx();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(await labelPx()).toBeGreaterThan(before * 1.3);
    await page.getByRole('button', { name: 'Reset the view' }).click();
    expect(await labelPx()).toBeCloseTo(before, 0);

    // A method outside the opening view is panned into it when the keyboard reaches it.
    const outside = await centre(mapLink(page, 'full-fine-tuning'));
    expect(outside.x < svgBox.x || outside.y > svgBox.y + svgBox.height, 'the baseline starts outside the zoomed view').toBe(true);
    await mapLink(page, 'full-fine-tuning').focus();
    const dot = await centre(mapLink(page, 'full-fine-tuning'));
    const view = (await svg.boundingBox())!;
    expect(dot.x).toBeGreaterThanOrEqual(view.x);
    expect(dot.x).toBeLessThanOrEqual(view.x + view.width);
    expect(dot.y).toBeGreaterThanOrEqual(view.y);
    expect(dot.y).toBeLessThanOrEqual(view.y + view.height);
  });
});
