import { readFileSync } from 'node:fs';
import { type Page, expect, test } from '@playwright/test';
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
  await expect(page.getByTestId('calc-fits')).toContainText('What fits');
});

test("prefix tuning's calculator shows what is trained and what is saved, from a shared link", async ({ page }) => {
  await page.goto('/calculator/?model=t5-large&method=prefix-tuning&tokens=30&bottleneck=512');
  await waitForHydration(page);
  // The survey authors' experiment code: 77,311,488 trained; the flat prefixes, 4,423,680, are what is kept.
  await expect(page.getByTestId('calc-trainable')).toHaveText('77,311,488');
  await expect(page.getByTestId('calc-saved')).toHaveText('4,423,680');
});

test('an unknown id gets a sentence instead of a broken page; the last hybrid of the taxonomy has its calculator', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto('/calculator/?method=unipelt');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-error')).toHaveCount(0);
  await expect(page.getByTestId('calc-trainable')).toBeVisible();
  await page.goto('/calculator/?method=lorra');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-error')).toHaveText(/unknown method "lorra"; did you mean lora/);
  await page.getByTestId('calc-method').selectOption('lora');
  await expect(page.getByTestId('calc-trainable')).toHaveText('4,194,304');
  expect(watch.errors).toEqual([]);
});

test('a count that follows from a chosen share says so under the count, and follows the share', async ({ page }) => {
  await page.goto('/calculator/?method=fish-mask');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-count-note')).toContainText('chosen 0.5% of all weights');
  await page.getByLabel(/^Trained share/).fill('2');
  await expect(page.getByTestId('calc-count-note')).toContainText('chosen 2% of all weights');
  await page.goto('/calculator/?method=lora');
  await waitForHydration(page);
  await expect(page.getByTestId('calc-trainable')).toHaveText('4,194,304');
  await expect(page.getByTestId('calc-count-note')).toHaveCount(0);
});

/** The number a result element carries in data-value. */
async function valueOf(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute('data-value'));
}

test.describe('training setup', () => {
  test('every group of new settings changes the numbers, and the URL keeps them', async ({ page }) => {
    const watch = watchPage(page);
    await page.goto('/calculator/?model=meta-llama/Llama-2-7b-hf&method=lora');
    await waitForHydration(page);
    const more = page.getByTestId('calc-more-settings');
    await expect(more).not.toHaveAttribute('open', '');
    const base = await valueOf(page, 'calc-memory');

    await page.getByTestId('calc-recipe').selectOption('pure-bf16');
    await expect.poll(() => valueOf(page, 'calc-memory')).toBeLessThan(base);
    await page.getByTestId('calc-recipe').selectOption('mixed-bf16');
    await expect.poll(() => valueOf(page, 'calc-memory')).toBe(base);

    await more.locator('summary').click();
    await page.getByTestId('calc-attention').selectOption('eager');
    await expect.poll(() => valueOf(page, 'calc-memory')).toBeGreaterThan(base);
    await expect(page).toHaveURL(/[?&]attention=eager(&|$)/);
    await page.getByTestId('calc-attention').selectOption('sdpa');
    await expect(page).not.toHaveURL(/attention=/);

    await page.getByTestId('calc-optimizer').selectOption('paged-adamw');
    await expect(page.getByTestId('calc-pageable')).toContainText('paged');
    await page.getByTestId('calc-optimizer').selectOption('adamw');
    await expect(page.getByTestId('calc-pageable')).toHaveCount(0);

    // Sharding and CPU offload appear once there is more than one GPU.
    await expect(page.getByTestId('calc-sharding')).toHaveCount(0);
    await page.getByTestId('calc-gpus').fill('4');
    await page.getByTestId('calc-sharding').selectOption('zero3');
    await page.getByTestId('calc-offload').selectOption('optimizer');
    await expect(page.getByTestId('calc-cpu-memory')).toBeVisible();
    await expect(page.getByTestId('calc-memory')).toContainText('per GPU');
    await expect.poll(() => valueOf(page, 'calc-memory')).toBeLessThan(base);

    // A classification head replaces the LM head and is trained in full.
    const trainable = await valueOf(page, 'calc-trainable');
    await expect(page.getByTestId('calc-labels')).toHaveCount(0);
    await page.getByTestId('calc-task').selectOption('classification');
    await page.getByTestId('calc-labels').fill('3');
    // LlamaForSequenceClassification's score head: 4096 × 3, no bias.
    await expect.poll(() => valueOf(page, 'calc-trainable')).toBe(trainable + 4096 * 3);

    // A shared link reopens with the settings, the disclosure open.
    await page.goto(page.url());
    await waitForHydration(page);
    await expect(page.getByTestId('calc-more-settings')).toHaveAttribute('open', '');
    await expect(page.getByTestId('calc-sharding')).toHaveValue('zero3');
    await expect(page.getByTestId('calc-labels')).toHaveValue('3');
    await expect(page.getByTestId('calc-cpu-memory')).toBeVisible();
    expect(watch.errors).toEqual([]);
  });

  test('the target length shows for an encoder–decoder model only', async ({ page }) => {
    await page.goto('/calculator/?model=gpt2&method=lora&mean=100');
    await waitForHydration(page);
    await expect(page.getByTestId('calc-more-settings')).toHaveAttribute('open', '');
    await expect(page.getByTestId('calc-target')).toHaveCount(0);
    await page.getByTestId('calc-model').fill('t5-base');
    await expect(page.getByTestId('calc-target')).toBeVisible();
    const before = await valueOf(page, 'calc-memory');
    await page.getByTestId('calc-target').fill('32');
    await expect.poll(() => valueOf(page, 'calc-memory')).toBeLessThan(before);
  });

  test('what fits: the chosen GPU, the largest batch and sequence, and the smallest GPU', async ({ page }) => {
    await page.goto('/calculator/?model=meta-llama/Llama-2-7b-hf&method=lora');
    await waitForHydration(page);
    const fits = page.getByTestId('calc-fits');
    await expect(fits).toContainText('RTX 4090 (24 GiB');
    const maxBatch = await valueOf(page, 'calc-max-batch');
    const maxSeq = await valueOf(page, 'calc-max-seq');
    expect(maxBatch).toBeGreaterThan(0);
    expect(maxSeq).toBeGreaterThan(0);
    // One more sequence than the largest batch does not fit; the largest does.
    await page.getByTestId('calc-batch').fill(String(maxBatch + 1));
    await expect(fits).toHaveAttribute('data-fits', 'false');
    await expect(page.getByTestId('calc-fits-gpu')).toContainText('does not fit');
    await page.getByTestId('calc-batch').fill(String(maxBatch));
    await expect(fits).toHaveAttribute('data-fits', 'true');
    // The largest batch does not depend on the batch typed; the longest sequence does.
    await expect.poll(() => valueOf(page, 'calc-max-batch')).toBe(maxBatch);

    await page.getByTestId('calc-gpu').selectOption('h200');
    await expect(page).toHaveURL(/[?&]gpu=h200(&|$)/);
    await expect.poll(() => valueOf(page, 'calc-max-batch')).toBeGreaterThan(maxBatch);

    await page.getByTestId('calc-model').fill('meta-llama/Llama-2-70b-hf');
    await page.getByTestId('calc-method').selectOption('full-fine-tuning');
    await expect(page.getByTestId('calc-smallest-gpu')).toHaveText(/none of the listed GPUs; try sharding over several GPUs or 4-bit base weights/);
    await expect(page.getByTestId('calc-max-batch')).toHaveText('not even 1 sequence');
  });

  test('bad settings get one inline message, mark their field, and never show NaN', async ({ page }) => {
    await page.goto('/calculator/?model=gpt2&method=lora&checkpointing=maybe');
    await waitForHydration(page);
    const calc = page.getByTestId('calculator');
    await expect(page.getByTestId('calc-error')).toHaveText(/^gradient checkpointing must be one of .*, got "maybe"/);
    await expect(page.getByTestId('calc-checkpointing')).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/checkpointing=maybe/);
    await page.getByTestId('calc-checkpointing').check();
    await expect(page.getByTestId('calc-error')).toHaveCount(0);
    await expect(page.getByTestId('calc-checkpointing')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/checkpointing=1/);

    // A setting in the closed disclosure opens it and is marked, even where it is worded differently.
    const cases: [string, string, RegExp][] = [
      ['calc-batch', '1e', /batch size must be a decimal number, got "1e"/],
      ['calc-gpus', '0', /number of GPUs must be a whole number/],
      ['calc-mean', '99999', /mean length \(99999\) cannot exceed/],
      ['calc-vocab', '-1', /vocabulary size must be a whole number/],
      ['calc-modules_to_save', 'nope', /modules to save: "nope" names no module/],
    ];
    for (const [field, value, message] of cases) {
      const input = page.getByTestId(field);
      if (!(await input.isVisible())) await page.getByTestId('calc-more-settings').locator('summary').click();
      const before = await input.inputValue();
      await input.fill(value);
      await expect(page.getByTestId('calc-error')).toHaveText(message);
      await expect(input).toHaveAttribute('aria-invalid', 'true');
      await expect(input).toHaveAttribute('aria-describedby', /calc-error/);
      await expect(calc).not.toContainText(/NaN|Infinity/);
      await input.fill(before);
      await expect(page.getByTestId('calc-error')).toHaveCount(0);
    }

    await page.goto('/calculator/?model=gpt2&method=lora&gpus=0');
    await waitForHydration(page);
    await expect(page.getByTestId('calc-more-settings')).toHaveAttribute('open', '');
    await expect(page.getByTestId('calc-gpus')).toHaveAttribute('aria-invalid', 'true');
  });
});

/** HuggingFaceTB/SmolLM2-135M's config.json (the fields that set its size): a model that is not in the list. */
const SMOLLM2 = JSON.parse(readFileSync('lib/peft/testing/hf-configs/HuggingFaceTB--SmolLM2-135M.json', 'utf8')) as Record<string, unknown>;

test.describe('your own model', () => {
  test('a pasted config.json gives exact counts, survives in the link, and a bad one names the field', async ({ page }) => {
    const watch = watchPage(page);
    await page.goto('/methods/lora/');
    await waitForHydration(page);
    await page.getByTestId('calc-own-model').locator('summary').click();
    const { hidden_size: _, ...noHidden } = SMOLLM2;
    await page.getByTestId('calc-config').fill(JSON.stringify(noHidden));
    await expect(page.getByTestId('calc-config-error')).toContainText('hidden_size');
    await expect(page.getByTestId('calc-config')).toHaveAttribute('aria-invalid', 'true');
    await page.getByTestId('calc-config').fill('{ not json');
    await expect(page.getByTestId('calc-config-error')).toContainText('not valid JSON');

    await page.getByTestId('calc-config').fill(JSON.stringify(SMOLLM2, null, 2));
    await expect(page.getByTestId('calc-config-error')).toHaveCount(0);
    await expect(page.getByTestId('calc-model')).toHaveValue('HuggingFaceTB/SmolLM2-135M');
    // LoRA r = 8 on q_proj and v_proj: 8·(576 + 576) + 8·(576 + 192) per layer, 30 layers.
    await expect(page.getByTestId('calc-trainable')).toHaveText('460,800');
    await expect(page.getByTestId('calc-config-model')).toContainText('134,515,008 parameters');
    await expect(page).toHaveURL(/[?&]arch=[A-Za-z0-9_-]+/);

    await page.goto(page.url());
    await waitForHydration(page);
    await expect(page.getByTestId('calc-trainable')).toHaveText('460,800');
    await expect(page.getByTestId('calc-model')).toHaveValue('HuggingFaceTB/SmolLM2-135M');

    // The file input reads the same way.
    await page.getByTestId('calc-config-model').getByRole('button', { name: 'Use a listed model instead' }).click();
    await expect(page).not.toHaveURL(/arch=/);
    await expect(page.getByTestId('calc-trainable')).toHaveText('4,194,304');
    await page.getByTestId('calc-own-model').locator('summary').click();
    await page.getByTestId('calc-config-file').setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SMOLLM2)) });
    await expect(page.getByTestId('calc-trainable')).toHaveText('460,800');

    await page.goto('/methods/lora/?arch=%25%25');
    await waitForHydration(page);
    await expect(page.getByTestId('calc-error')).toContainText('architecture in the link');
    expect(watch.errors).toEqual([]);
  });

  test('the HF PEFT snippet matches the settings and can be copied', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/calculator/?model=meta-llama/Llama-2-7b-hf&method=lora&r=16');
    await waitForHydration(page);
    const snippet = page.getByTestId('calc-peft-snippet');
    await snippet.locator('summary').click();
    const code = page.getByTestId('calc-peft-code');
    await expect(code).toContainText('LoraConfig(');
    await expect(code).toContainText('r=16');
    await expect(code).toContainText('"meta-llama/Llama-2-7b-hf"');
    await page.getByTestId('calc-peft-copy').click();
    await expect(snippet).toContainText(/Copied\.|Selected/);
    // Full fine-tuning needs no PEFT: no snippet.
    await page.getByTestId('calc-method').selectOption('full-fine-tuning');
    await expect(page.getByTestId('calc-trainable')).toBeVisible();
    await expect(page.getByTestId('calc-peft-snippet')).toHaveCount(0);
  });
});

test.describe('compare page', () => {
  test('lists every implemented method, recomputes for another model, and sorts', async ({ page }) => {
    await page.goto('/compare/');
    await waitForHydration(page);
    const rows = page.locator('[data-testid="compare-table"] tbody tr');
    await expect(rows).toHaveCount(METHOD_IDS.length);
    // Llama 2 has no bias vectors: BitFit's row says so instead of showing 0 trainable parameters.
    await expect(page.locator('tr[data-method="bitfit"] [data-testid="compare-not-applicable"]')).toHaveText(/^Does not apply: BitFit trains bias vectors/);
    await page.getByTestId('compare-model').fill('t5-large');
    await expect(page.locator('tr[data-method="full-fine-tuning"] td').nth(1)).toHaveAttribute('data-value', '737668096');
    await expect(page).toHaveURL(/model=t5-large/);

    await page.getByRole('button', { name: /^Trainable parameters/ }).click(); // already ascending → descending
    await expect(rows.first()).toHaveAttribute('data-method', 'full-fine-tuning');
    await page.getByRole('button', { name: /^Trainable parameters/ }).click();
    await expect(rows.last()).toHaveAttribute('data-method', 'full-fine-tuning');

    await page.getByTestId('compare-seq').fill('0');
    await expect(page.getByTestId('compare-error')).toContainText(/sequence length/i);
    await expect(page.getByTestId('compare-seq')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('compare')).not.toContainText(/NaN|Infinity/);
  });

  test('shares the setup fields and GPU with the calculator, and its links carry them', async ({ page }) => {
    await page.goto('/compare/?model=meta-llama/Llama-2-7b-hf');
    await waitForHydration(page);
    const memoryCell = page.locator('tr[data-method="lora"] td').nth(2);
    const before = Number(await memoryCell.getAttribute('data-value'));
    await page.getByTestId('compare-more-settings').locator('summary').click();
    await page.getByTestId('compare-attention').selectOption('eager');
    await expect.poll(async () => Number(await memoryCell.getAttribute('data-value'))).toBeGreaterThan(before);
    await expect(page.getByRole('columnheader', { name: 'Fits on RTX 4090' })).toBeVisible();
    await page.getByTestId('compare-gpu').selectOption('h100');
    await expect(page.getByRole('columnheader', { name: 'Fits on H100 80 GB' })).toBeVisible();
    await expect(page.locator('tr[data-method="lora"] [data-testid="compare-fits"]')).toHaveAttribute('data-value', 'true');

    await page.locator('tr[data-method="lora"] a').first().click();
    await expect(page).toHaveURL(/\/calculator\/\?.*attention=eager/);
    await waitForHydration(page);
    await expect(page.getByTestId('calc-gpu')).toHaveValue('h100');
    await expect(page.getByTestId('calc-attention')).toHaveValue('eager');
    await expect.poll(() => valueOf(page, 'calc-memory')).toBeGreaterThan(before);
  });

  test('sets the low-rank family to one rank, and refuses a rank that is not a whole number', async ({ page }) => {
    await page.goto('/compare/?model=meta-llama/Llama-2-7b-hf');
    await waitForHydration(page);
    const family = page.getByTestId('low-rank');
    const lora = family.locator('tr[data-family-method="lora"] td').nth(1);
    // q and v of 32 layers, (4096 + 4096)·r each: 4,194,304 at r = 8, as HF PEFT prints it.
    await expect(lora).toHaveAttribute('data-value', '4194304');
    await family.getByLabel('Rank r').fill('16');
    await expect(lora).toHaveAttribute('data-value', '8388608');
    await expect(family.locator('[data-point]')).toHaveCount(await family.locator('tbody tr[data-family-method]').count());
    await family.getByLabel('Modules').selectOption('all-linear');
    await expect(lora).toHaveAttribute('data-value', String(2 * 19_988_480));
    await expect(family.locator('tr[data-family-method="lora"]')).toContainText('Merged: nothing beyond the base model');
    await family.getByLabel('Rank r').fill('2.5');
    await expect(family.getByRole('alert')).toHaveText('The rank must be a whole number of at least 1.');
    await expect(family).not.toContainText(/NaN|Infinity/);
  });
});
