import { describe, expect, it } from 'vitest';
import { DEFAULT_SETUP } from './cost/setup';
import { estimate } from './estimate';

describe('peftTotal: the "all params" of HF PEFT’s print_trainable_parameters', () => {
  // Each row is a get_peft_model(...).print_trainable_parameters() output printed in HF PEFT's own docs.
  it.each([
    // Quicktour (docs/source/quicktour.md): mt0-large, LoraConfig(r=8) on its default q and v.
    { model: 'bigscience/mt0-large', method: 'lora', hyper: { r: 8 }, trainable: 2_359_296, all: 1_231_940_608 },
    // Prompt-based methods guide: bloomz-560m, PromptTuningConfig(num_virtual_tokens=8).
    { model: 'bigscience/bloomz-560m', method: 'prompt-tuning', hyper: { tokens: 8 }, trainable: 8_192, all: 559_222_784 },
  ])('$method on $model: $trainable trainable of $all', ({ model, method, hyper, trainable, all }) => {
    const e = estimate(model, method, hyper, DEFAULT_SETUP);
    expect(e.trainable).toBe(trainable);
    expect(e.peftTotal).toBe(all);
    expect(e.total).toBe(all - trainable);
  });

  it('adds nothing for methods that train the base model’s own weights', () => {
    for (const method of ['full-fine-tuning', 'bitfit']) {
      const e = estimate('bert-base-uncased', method, {}, DEFAULT_SETUP);
      expect(e.trainable).toBeGreaterThan(0);
      expect(e.peftTotal).toBe(e.total);
    }
  });
});
