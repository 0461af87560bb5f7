import { expect, test } from '@playwright/test';
import { METHOD_IDS, waitForHydration, watchPage } from './support';

test.describe('calculator on a method page', () => {
  test('counts LoRA on Llama-2-7B, updates when the rank changes, and keeps the state in the URL', async ({ page }) => {
    const watch = watchPage(page);
    await page.goto('/methods/lora/');
    await waitForHydration(page);
    const calc = page.getByTestId('calculator');
    // HF PEFT's documented example: r = 8 on q_proj and v_proj of Llama-2-7B.
    await expect(calc.getByTestId('calc-trainable')).toHaveText('4,194,304');
    await calc.getByTestId('calc-hyper-r').fill('16');
    await expect(calc.getByTestId('calc-trainable')).toHaveText('8,388,608');
    await expect(page).toHaveURL(/[?&]r=16(&|$)/);
    await calc.getByTestId('calc-hyper-targets').fill('q_proj,k_proj,v_proj,o_proj');
    await expect(calc.getByTestId('calc-trainable')).toHaveText('16,777,216');

    const shared = page.url();
    await page.goto(shared);
    await waitForHydration(page);
    await expect(page.getByTestId('calc-hyper-r')).toHaveValue('16');
    await expect(page.getByTestId('calc-trainable')).toHaveText('16,777,216');
    expect(watch.errors).toEqual([]);
  });

  test('rejects impossible values with a message and never shows NaN', async ({ page }) => {
    await page.goto('/methods/lora/');
    await waitForHydration(page);
    const calc = page.getByTestId('calculator');
    const cases: [string, string, RegExp][] = [
      ['calc-hyper-r', '0', /Rank r must be between 1 and 1024/],
      ['calc-hyper-r', 'abc', /Rank r must be a decimal number, got "abc"/],
      ['calc-hyper-r', '0x10', /Rank r must be a decimal number, got "0x10"/],
      ['calc-batch', '-4', /batch size/i],
      ['calc-seq', '0', /sequence length/i],
      ['calc-hyper-targets', 'c_attn', /no linear map matching "c_attn"/],
      ['calc-model', 'not/a-model', /unknown model "not\/a-model"/],
    ];
    for (const [field, value, message] of cases) {
      const input = calc.getByTestId(field);
      const before = await input.inputValue();
      await input.fill(value);
      await expect(calc.getByTestId('calc-error')).toHaveText(message);
      await expect(calc).not.toContainText(/NaN|Infinity/);
      await input.fill(before);
      await expect(calc.getByTestId('calc-error')).toHaveCount(0);
    }
  });
});

test('the standalone calculator reproduces the survey’s Houlsby count on T5-Large from a shared link', async ({ page }) => {
  await page.goto('/calculator/?model=t5-large&method=adapters&bottleneck=64');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-method')).toHaveValue('adapters');
  await expect(page.getByTestId('calc-trainable')).toHaveText('12,687,360');
  await expect(page.getByTestId('calc-fits')).toContainText('80 GB');
});

test("prefix tuning's calculator shows what is trained and what is saved, from a shared link", async ({ page }) => {
  await page.goto('/calculator/?model=t5-large&method=prefix-tuning&tokens=30&bottleneck=512');
  await waitForHydration(page);
  // The survey authors' experiment code: 77,311,488 trained; the flat prefixes, 4,423,680, are what is kept.
  await expect(page.getByTestId('calc-trainable')).toHaveText('77,311,488');
  await expect(page.getByTestId('calc-saved')).toHaveText('4,423,680');
});

test('a method that is not built yet, or an unknown id, gets a sentence instead of a broken page', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto('/calculator/?method=dora');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-error')).toHaveText(/DoRA has no calculator or playground yet/);
  await expect(page.getByTestId('calc-method')).toBeVisible();
  await page.goto('/calculator/?method=lorra');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-error')).toHaveText(/unknown method "lorra"; did you mean lora/);
  await page.getByTestId('calc-method').selectOption('lora');
  await expect(page.getByTestId('calc-trainable')).toHaveText('4,194,304');
  expect(watch.errors).toEqual([]);
});

test.describe('compare page', () => {
  test('lists every implemented method, recomputes for another model, and sorts', async ({ page }) => {
    await page.goto('/compare/');
    await waitForHydration(page);
    const rows = page.locator('[data-testid="compare"] tbody tr');
    await expect(rows).toHaveCount(METHOD_IDS.length);
    await page.getByTestId('compare-model').fill('t5-large');
    await expect(page.locator('tr[data-method="full-fine-tuning"] td').nth(1)).toHaveAttribute('data-value', '737668096');
    await expect(page).toHaveURL(/model=t5-large/);

    await page.getByRole('button', { name: /^Trainable parameters/ }).click(); // already ascending → descending
    await expect(rows.first()).toHaveAttribute('data-method', 'full-fine-tuning');
    await page.getByRole('button', { name: /^Trainable parameters/ }).click();
    await expect(rows.last()).toHaveAttribute('data-method', 'full-fine-tuning');

    await page.getByTestId('compare-seq').fill('0');
    await expect(page.getByTestId('compare-error')).toContainText(/sequence length/i);
  });
});
