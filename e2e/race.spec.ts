import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousAxeViolations, waitForHydration, watchPage } from './support';

/** The raw numbers of one column of the final table (its cells' data-value attributes). */
async function column(page: Page, testId: string): Promise<string[]> {
  return page.getByTestId('race-results').getByTestId(testId).evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value') ?? ''));
}

/** Waits until the race has read its setup from the address. */
async function raceLoaded(page: Page, methods: string) {
  await waitForHydration(page);
  await expect(page.getByTestId('race-setup')).toHaveAttribute('data-loaded', 'true');
  await expect(page.getByTestId('race-setup')).toHaveAttribute('data-methods', methods);
}

test.describe('method race', () => {
  test.describe.configure({ timeout: 240_000 });

  test('a two-method race on WASM finishes with a ranked table, and its share link shows the table again', async ({ page }) => {
    const watch = watchPage(page);
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.goto('/race/?task=topic&methods=lora,bitfit&steps=20&backend=wasm');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Method race');
    await raceLoaded(page, 'lora,bitfit');
    await expect(page.getByTestId('race-url-problems')).toHaveCount(0);
    await expect(page.getByTestId('race-backend')).toHaveValue('wasm');
    // TensorFlow.js lives in the workers, and they only start on demand.
    expect(workers).toEqual([]);

    await page.getByTestId('race-start').click();
    await expect(page.getByTestId('race-lane')).toHaveCount(2);
    await expect.poll(() => workers.length).toBe(2);
    const final = page.getByTestId('race-final');
    await expect(final).toBeVisible({ timeout: 150_000 });
    for (const lane of await page.getByTestId('race-lane').all()) await expect(lane).toHaveAttribute('data-phase', 'finished');

    const rows = page.getByTestId('race-result-row');
    await expect(rows).toHaveCount(2);
    expect((await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-method')))).sort()).toEqual(['bitfit', 'lora']);
    const accuracy = (await column(page, 'race-result-accuracy')).map(Number);
    const ms = (await column(page, 'race-result-ms')).map(Number);
    const trainable = (await column(page, 'race-result-trainable')).map(Number);
    const peak = (await column(page, 'race-result-peak')).map(Number);
    for (const values of [accuracy, ms, trainable, peak]) for (const v of values) expect(Number.isFinite(v)).toBe(true);
    for (const a of accuracy) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
    // Ranked by final exact match.
    expect(accuracy[0]).toBeGreaterThanOrEqual(accuracy[1] as number);
    for (const v of [...ms, ...trainable, ...peak]) expect(v).toBeGreaterThan(0);
    // Time to target is a number of seconds, or empty with "not reached".
    for (const [i, t] of (await column(page, 'race-result-target')).entries()) {
      if (t === '') await expect(rows.nth(i).getByTestId('race-result-target')).toHaveText('not reached');
      else expect(Number(t)).toBeGreaterThan(0);
    }
    await expect(final).not.toContainText('NaN');
    const tableText = await page.getByTestId('race-results').locator('tbody').textContent();

    // The charts' data as a table.
    await page.getByText('The charts as a table').click();
    await expect(page.getByTestId('race-chart-table').locator('tbody tr')).toHaveCount(3); // steps 0, 10, 20

    await page.getByTestId('race-share').click();
    const link = await page.getByTestId('race-share-link').getAttribute('href');
    expect(link).toContain('methods=lora,bitfit');
    expect(link).toMatch(/[?&]r=lora~[^&]*,bitfit~/);
    expect(page.url()).toBe(link);

    await page.goto(link as string);
    await raceLoaded(page, 'lora,bitfit');
    const shared = page.getByTestId('race-shared');
    await expect(shared).toBeVisible();
    await expect(shared).toContainText('Shared result');
    await expect(shared.getByTestId('race-result-row')).toHaveCount(2);
    // The same table, without running anything.
    await expect(shared.getByTestId('race-results').locator('tbody')).toHaveText(tableText ?? '');
    await expect(page.getByTestId('race-again')).toBeEnabled();
    expect(watch.errors).toEqual([]);
    expect(watch.external()).toEqual([]);
  });
});

test('a bad race link gets a sentence for each problem and a valid setup, never a crash', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto('/race/?task=topic&methods=nope&steps=abc');
  await raceLoaded(page, 'full-fine-tuning,lora,bitfit');
  const problems = page.getByTestId('race-url-problems');
  await expect(problems).toContainText('Unknown method "nope".');
  await expect(problems).toContainText('Steps must be a whole number from 10 to 2000, not "abc"; using 300.');
  await expect(page.getByTestId('race-steps')).toHaveValue('300');
  await expect(page.getByTestId('race-start')).toBeEnabled();
  // The address is rewritten to the setup shown.
  expect(new URL(page.url()).search).toBe('?task=topic&methods=full-fine-tuning,lora,bitfit&steps=300');
  await expect(page.locator('body')).not.toContainText('NaN');
  expect(watch.errors).toEqual([]);
});

test('the method picker offers only methods that can train on the task, from two to six', async ({ page }) => {
  await page.goto('/race/?task=reverse&methods=lora,bitfit&steps=20');
  await raceLoaded(page, 'lora,bitfit');
  const add = page.getByTestId('race-add-select');
  // WARP trains a head over classes: not offered on Reverse.
  await expect(add.locator('option[value="warp"]')).toHaveCount(0);
  await expect(add.locator('option[value="lora"]')).toHaveCount(0);
  await add.selectOption('ia3');
  await page.getByTestId('race-add').click();
  await expect(page.getByTestId('race-setup')).toHaveAttribute('data-methods', 'lora,bitfit,ia3');
  expect(new URL(page.url()).searchParams.get('methods')).toBe('lora,bitfit,ia3');
  await page.getByRole('button', { name: 'Remove LoRA' }).click();
  await page.getByRole('button', { name: 'Remove BitFit' }).click();
  await expect(page.getByTestId('race-form-error')).toHaveText('Pick at least 2 methods.');
  await expect(page.getByTestId('race-start')).toBeDisabled();
});

/** A shared link as the share button writes it (a test fixture for the view, not a measured race). */
const SHARED = '/race/?task=topic&methods=lora,bitfit&steps=20&r=lora~f~w~20~0.8125~12.3~20~21.5~2048~1234567,bitfit~s~w~14~0.5~x~x~18.5~1000~900000';

test('a shared table reads back from the link, ranked, with "not reached" and a stopped run', async ({ page }) => {
  await page.goto(SHARED);
  await raceLoaded(page, 'lora,bitfit');
  const rows = page.getByTestId('race-shared').getByTestId('race-result-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-method', 'lora');
  await expect(rows.nth(0).getByTestId('race-result-accuracy')).toHaveText('81.3%');
  await expect(rows.nth(0).getByTestId('race-result-target')).toContainText('12.3 s');
  await expect(rows.nth(1).getByTestId('race-result-target')).toHaveText('not reached');
  await expect(rows.nth(1)).toContainText('stopped at step 14');
  // Editing the setup drops the shared table, from the page and from the address.
  await page.getByTestId('race-steps').fill('30');
  await expect(page.getByTestId('race-shared')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.get('r')).toBeNull();
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`race page, ${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('has no serious or critical axe violations, with a shared table and a bad-link message', async ({ page }) => {
      await page.goto(`${SHARED}&backend=tpu`);
      await raceLoaded(page, 'lora,bitfit');
      if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      await expect(page.getByTestId('race-url-problems')).toBeVisible();
      await expect(page.getByTestId('race-shared')).toBeVisible();
      await expectNoSeriousAxeViolations(page, `/race/ (${theme})`);
    });
  });
}

test('the race page does not scroll sideways at 375px', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(SHARED);
  await raceLoaded(page, 'lora,bitfit');
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
});
