import { expect, type Page, test } from '@playwright/test';
import { expectNoSeriousAxeViolations, waitForHydration } from './support';

/** The block diagram draws all 17 parts of lib/peft/method-api/anatomy.ts's BLOCK_PARTS. */
const PART_COUNT = 17;
/** The parts that hold weights on the toy (a pre-norm decoder with biases and a tied head). */
const WEIGHT_PARTS = ['embedding', 'attn.norm', 'attn.q', 'attn.k', 'attn.v', 'attn.o', 'ffn.norm', 'ffn.up', 'ffn.down', 'final', 'head'];

const diagram = (page: Page) => page.getByTestId('block-diagram');
const part = (page: Page, name: string) => diagram(page).locator(`svg [data-part="${name}"]`);

test('LoRA: the diagram marks the q and v projections as added, nothing as trained, and says what is added', async ({ page }) => {
  await page.goto('/methods/lora/');
  await expect(diagram(page).getByRole('img', { name: /Where LoRA attaches in a transformer block/ })).toBeVisible();
  await expect(diagram(page).locator('svg [data-part]')).toHaveCount(PART_COUNT);
  await expect(part(page, 'attn.q')).toHaveAttribute('data-kinds', 'added');
  await expect(part(page, 'attn.v')).toHaveAttribute('data-kinds', 'added');
  await expect(part(page, 'attn.k')).toHaveAttribute('data-kinds', 'frozen');
  await expect(diagram(page).locator('svg [data-kinds~="trained"]')).toHaveCount(0);
  await expect(diagram(page).locator('svg [data-part][data-kinds="frozen"]')).toHaveCount(PART_COUNT - 2);
  // The added module is drawn beside the row, and the badge says the kind in words.
  // (Its lines are separate tspans, so the text runs together where a line breaks.)
  await expect(diagram(page).locator('svg [data-side-for="attn.q attn.v"]')).toContainText(/q, v: rank-8\s*update BA/);
  await expect(part(page, 'attn.q')).toContainText('added');
  await expect(diagram(page).getByTestId('attachment-list')).toContainText('Attention q projection — added: rank-8 update BA');
  await expect(diagram(page).getByTestId('attachment-list').locator('li')).toHaveCount(2);
  await expect(page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Where it attaches' })).toHaveAttribute('href', '#block-diagram');
});

test('BitFit: the diagram marks trained parts (the biases) and adds nothing', async ({ page }) => {
  await page.goto('/methods/bitfit/');
  for (const name of ['attn.q', 'attn.o', 'ffn.up', 'ffn.down', 'attn.norm']) await expect(part(page, name)).toHaveAttribute('data-kinds', 'trained');
  await expect(part(page, 'embedding')).toHaveAttribute('data-kinds', 'frozen');
  await expect(diagram(page).locator('svg [data-kinds~="added"]')).toHaveCount(0);
  await expect(diagram(page).getByTestId('attachment-list')).toContainText('biases only');
});

test('full fine-tuning: the diagram trains every part that holds weights', async ({ page }) => {
  await page.goto('/methods/full-fine-tuning/');
  for (const name of WEIGHT_PARTS) await expect(part(page, name), name).toHaveAttribute('data-kinds', 'trained');
  await expect(diagram(page).locator('svg [data-kinds~="trained"]')).toHaveCount(WEIGHT_PARTS.length);
  await expect(diagram(page).locator('svg [data-kinds~="added"]')).toHaveCount(0);
});

test('prompt tuning: the diagram adds trained vectors at the input, beside it', async ({ page }) => {
  await page.goto('/methods/prompt-tuning/');
  await expect(part(page, 'input')).toHaveAttribute('data-kinds', 'added');
  await expect(diagram(page).locator('svg [data-kinds~="added"]')).toHaveCount(1);
  await expect(diagram(page).locator('svg [data-side-for="input"]')).toContainText('prompt');
});

test('a hybrid page shows its diagram and the three methods it gates', async ({ page }) => {
  await page.goto('/methods/unipelt/');
  await expect(page.getByText('Not built yet')).toHaveCount(0);
  await expect(page.getByTestId('block-diagram')).toBeVisible();
  const buildsOn = page.getByTestId('builds-on');
  await expect(buildsOn).toContainText('LoRA');
  await expect(buildsOn.getByRole('link', { name: 'LoRA' })).toHaveAttribute('href', '/methods/lora/');
  await expect(page.getByRole('link', { name: 'UniPELT in the method lineage' })).toHaveAttribute('href', '/lineage/#lineage-unipelt');
});

test('LoRA lists the methods built on it', async ({ page }) => {
  await page.goto('/methods/lora/');
  await expect(page.getByTestId('built-on-by').getByRole('link', { name: 'DoRA' })).toHaveAttribute('href', '/methods/dora/');
});

for (const theme of ['light', 'dark'] as const) {
  test(`the diagram has no serious axe violations in the ${theme} theme, and its text stays at least 11 px on a phone`, async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.emulateMedia({ colorScheme: theme });
    await page.goto('/methods/mam-adapter/');
    await waitForHydration(page);
    if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
    else await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
    await expectNoSeriousAxeViolations(page, `MAM diagram (${theme})`, '[data-testid="block-diagram"]');
    // The smallest font size in the SVG times the scale it is drawn at: what a reader sees, in px.
    const smallest = await diagram(page)
      .locator('svg')
      .first()
      .evaluate((svg) => {
        const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
        return Math.min(...[...svg.querySelectorAll('text')].map((t) => Number(t.getAttribute('font-size')))) * scale;
      });
    expect(smallest).toBeGreaterThanOrEqual(11);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });
}

test('LoReFT and WARP: an edit of the residual stream is drawn at the block output, a class head at the head', async ({ page }) => {
  await page.goto('/methods/loreft/');
  await expect(part(page, 'block.output')).toHaveAttribute('data-kinds', 'added');
  await expect(diagram(page).locator('svg [data-part][data-kinds="frozen"]')).toHaveCount(PART_COUNT - 1);
  await page.goto('/methods/warp/');
  await expect(part(page, 'head')).toHaveAttribute('data-kinds', 'added');
  await expect(part(page, 'input')).toHaveAttribute('data-kinds', 'added');
});
