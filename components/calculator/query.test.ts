import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareMethods } from '@/lib/peft/compare';
import { DEFAULT_GPU, GPUS } from '@/lib/peft/cost/fits';
import { DEFAULT_SETUP, SETUP_FIELDS, type SetupField } from '@/lib/peft/cost/setup';
import { decodeArchitectureParam, encodeArchitectureParam, parseHfConfigText } from '@/lib/peft/hf-config';
import { setupFromText } from '@/lib/peft/input';
import { DEFAULT_SETUP_TEXT, defaultQuery, evaluateQuery, queryFromParams, queryToParams, settingOfError } from './query';

const read = (search: string) => queryFromParams(new URLSearchParams(search), defaultQuery('lora'), false);

function errorOf(search: string): string {
  const r = evaluateQuery(read(search));
  if (!('error' in r)) throw new Error(`expected an error for ${search}`);
  return r.error;
}

/** The setting a message from this URL marks invalid. */
function invalidSetting(search: string): string | null {
  return settingOfError(errorOf(search), read(search).setup);
}

/** A value of each setting other than its default, as text. */
function otherValue(f: SetupField): string {
  switch (f.kind) {
    case 'int':
      return '3';
    case 'optional-int':
      return '100';
    case 'choice':
      return f.choices.find((c) => c !== DEFAULT_SETUP_TEXT[f.key])!;
    case 'boolean':
      return DEFAULT_SETUP_TEXT[f.key] === '1' ? '0' : '1';
    case 'list':
      return 'lm_head,embed_tokens';
  }
}

describe('calculator URL', () => {
  it('round-trips every setting and the GPU through the URL', () => {
    const setup = Object.fromEntries(SETUP_FIELDS.map((f) => [f.key, otherValue(f)]));
    const q = { ...defaultQuery('lora'), model: 't5-large', hyper: { r: '16' }, setup, gpu: 'h100', arch: 'eyJtb2RlbF90eXBlIjoibGxhbWEifQ' };
    const params = queryToParams(q, false);
    for (const f of SETUP_FIELDS) expect(params.get(f.key), f.key).toBe(setup[f.key]);
    expect(queryFromParams(params, defaultQuery('lora'), false)).toEqual(q);
  });

  it('leaves settings at their defaults out of the URL, and keeps each changed one', () => {
    expect([...queryToParams(defaultQuery('lora'), false).keys()]).toEqual(['model', 'method']);
    for (const f of SETUP_FIELDS) {
      const q = defaultQuery('lora');
      q.setup[f.key] = otherValue(f);
      expect([...queryToParams(q, false).keys()], f.key).toEqual(['model', 'method', f.key]);
    }
    expect(queryToParams({ ...defaultQuery('lora'), gpu: DEFAULT_GPU }, false).has('gpu')).toBe(false);
    expect(setupFromText(DEFAULT_SETUP_TEXT)).toEqual(DEFAULT_SETUP);
  });

  it('ignores tracking parameters instead of reporting them as hyperparameters', () => {
    const q = read('model=gpt2&r=8&utm_source=newsletter&utm_campaign=x&fbclid=abc&gclid=def&ref=hn');
    expect(q.hyper).toEqual({ r: '8' });
    expect('estimate' in evaluateQuery(q)).toBe(true);
    expect([...queryToParams(q, false).keys()]).toEqual(['model', 'method', 'r']);
  });

  it('still reports a parameter that is neither a setting nor tracking', () => {
    expect(errorOf('model=gpt2&bottleneck=8')).toMatch(/LoRA has no hyperparameter "bottleneck"/);
    expect(invalidSetting('model=gpt2&bottleneck=8')).toBeNull();
  });

  it.each([
    ['0', false],
    ['off', false],
    ['No', false],
    ['1', true],
    ['true', true],
    ['ON', true],
  ])('reads checkpointing=%s as the CLI reads it', (raw, on) => {
    const r = evaluateQuery(read(`model=gpt2&checkpointing=${raw}`));
    expect('estimate' in r && r.estimate.setup.gradientCheckpointing).toBe(on);
  });

  it('reports a checkpointing value that is not a yes/no word by its label, and keeps it in the URL until it is replaced', () => {
    const q = read('model=gpt2&checkpointing=maybe');
    expect(errorOf('model=gpt2&checkpointing=maybe')).toMatch(/^gradient checkpointing must be one of .*, got "maybe"/);
    expect(invalidSetting('model=gpt2&checkpointing=maybe')).toBe('checkpointing');
    expect(queryToParams(q, false).get('checkpointing')).toBe('maybe');
    expect(queryToParams({ ...q, setup: { ...q.setup, checkpointing: '1' } }, false).get('checkpointing')).toBe('1');
  });

  it('reads numbers as decimals only', () => {
    expect(errorOf('model=gpt2&r=0x10')).toMatch(/Rank r must be a decimal number, got "0x10"/);
    expect(errorOf('model=gpt2&batch=1e')).toMatch(/batch size must be a decimal number, got "1e"/);
    expect(errorOf('model=gpt2&seq=0x200')).toMatch(/sequence length must be a decimal number, got "0x200"/);
    expect(errorOf('model=gpt2&gpus=Infinity')).toMatch(/GPUs must be a decimal number/i);
    const r = evaluateQuery(read('model=gpt2&r=1.6e1&seq=5.12e2'));
    expect('estimate' in r && [r.estimate.config.r, r.estimate.setup.sequenceLength]).toEqual([16, 512]);
  });

  it.each([
    ['batch=-4', 'batch'],
    ['seq=abc', 'seq'],
    ['task=classification&labels=0', 'labels'],
    ['precision=fp8', 'precision'],
    ['recipe=bf16', 'recipe'],
    ['attention=flash', 'attention'],
    ['gpus=0', 'gpus'],
    ['gpus=2&offload=optimizer', 'offload'],
    ['gpus=2&sharding=zero2&optimizer_in_backward=1', 'optimizer_in_backward'],
    ['mean=9000', 'mean'],
    ['vocab=0', 'vocab'],
    ['modules_to_save=nope', 'modules_to_save'],
  ])('marks the setting a message names: %s → %s', (search, key) => {
    expect(invalidSetting(`model=gpt2&${search}`)).toBe(key);
  });

  it('reports an unknown GPU by its id', () => {
    expect(errorOf('model=gpt2&gpu=tpu-v5')).toMatch(/^GPU "tpu-v5" is not in the list/);
    expect(GPUS.some((g) => g.id === DEFAULT_GPU)).toBe(true);
  });

  it('cuts a long value in the message and escapes a newline so it cannot forge a second line', () => {
    const error = errorOf(`model=${encodeURIComponent(`${'x'.repeat(5_000)}`)}`);
    expect(error.length).toBeLessThan(400);
    expect(error).toContain(`"${'x'.repeat(40)}…"`);
    expect(errorOf(`model=${encodeURIComponent('gpt3\nerror: forged')}`)).not.toMatch(/\n/);
  });
});

describe('compare page links', () => {
  it("open the calculator with the compare page's setup and GPU", () => {
    const q = read('model=gpt2&batch=2&seq=128&checkpointing=1&optimizer=adamw-8bit&gpus=4&sharding=zero3&gpu=l4');
    const rows = compareMethods(q.model, setupFromText(q.setup), q.gpu);
    for (const row of rows) {
      const back = queryFromParams(new URL(row.calculatorHref, 'https://example.org').searchParams, defaultQuery('lora'), false);
      expect(back.method).toBe(row.estimate.method.id);
      expect(back.setup).toEqual(q.setup);
      expect(back.gpu).toBe('l4');
      // A method that does not apply to GPT-2 (LoHa: HF PEFT refuses its Conv1D maps) gets the same sentence there.
      if (row.estimate.notApplicable !== null) expect(evaluateQuery(back)).toEqual({ error: row.estimate.notApplicable });
      else expect(evaluateQuery(back)).toMatchObject({ estimate: { trainable: row.estimate.trainable, memory: { total: row.estimate.memory.total } } });
    }
  });
});

/** HuggingFaceTB/SmolLM2-135M's config.json (the fields that set its size), a model that is not in
 * the list; the same fixture the browser test pastes. */
const SMOLLM2 = readFileSync('lib/peft/testing/hf-configs/HuggingFaceTB--SmolLM2-135M.json', 'utf8');

describe('a pasted config.json', () => {
  it('keeps its model in the URL and counts it exactly', () => {
    const parsed = parseHfConfigText(SMOLLM2);
    if (!('model' in parsed)) throw new Error(parsed.error);
    const link = queryToParams({ ...defaultQuery('lora'), model: parsed.model.id, arch: encodeArchitectureParam(parsed.model) }, false);
    const q = read(link.toString());
    const decoded = decodeArchitectureParam(q.arch);
    if (!('model' in decoded)) throw new Error(decoded.error);
    const r = evaluateQuery(q, decoded.model);
    if (!('estimate' in r)) throw new Error(r.error);
    // 134,515,008 is the count HF transformers gives for SmolLM2-135M; LoRA r = 8 on q_proj and
    // v_proj adds 8·(576 + 576) + 8·(576 + 192) per layer, over 30 layers.
    expect([r.estimate.total, r.estimate.trainable]).toEqual([134_515_008, 460_800]);
    expect(r.estimate.model.id).toBe('HuggingFaceTB/SmolLM2-135M');
  });
});

describe('defaultQuery', () => {
  it('opens on Llama 2 7B, or on a model the method applies to when it does not apply there (BitFit needs biases)', () => {
    expect(defaultQuery('lora').model).toBe('meta-llama/Llama-2-7b-hf');
    expect(defaultQuery('bitfit').model).toBe('bert-base-uncased');
    expect('estimate' in evaluateQuery(defaultQuery('bitfit'))).toBe(true);
  });
});
