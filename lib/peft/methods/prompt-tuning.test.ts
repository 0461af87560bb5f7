import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { logitsOf, maxAbsDiff, methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { findTask } from '../model/tasks';
import { encode } from '../model/tokenizer';
import { initialPrompt, promptTuning } from './prompt-tuning';

methodContract(promptTuning, { configs: [{ tokens: 3 }] });

beforeAll(useTestBackend);

describe('Prompt tuning', () => {
  it('changes the outputs through the prompt alone', () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    const applied = promptTuning.apply(model, resolveConfig(promptTuning, model.arch, { tokens: 4 }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBeGreaterThan(1e-4);
  });

  it('trains a prompt for each stack of an encoder–decoder model (HF PEFT convention)', () => {
    const t5 = findModel('t5-large').arch;
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(promptTuning.trainableParams(t5, resolveConfig(promptTuning, t5, { tokens: 20 }))).toBe(2 * 20 * 1024);
    expect(promptTuning.trainableParams(llama, resolveConfig(promptTuning, llama, { tokens: 20 }))).toBe(20 * 4096);
  });

  it('starts from vocabulary rows, label words or uniform noise (Lester et al.)', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const wte = model.weight('wte').arraySync() as number[][];
    const rowsOf = (t: { arraySync(): unknown; dispose(): void }) => {
      const rows = t.arraySync() as number[][];
      t.dispose();
      return rows;
    };
    const isVocabRow = (row: number[]) => wte.some((w) => w.every((v, i) => v === row[i]));

    expect(rowsOf(initialPrompt(model, 5, 'sample-vocab', { seed: 1 })).every(isVocabRow)).toBe(true);

    // pair's classes are "yes" and "no": the first two rows are their tokens' mean embeddings.
    const labelled = rowsOf(initialPrompt(model, 4, 'class-labels', { seed: 1, task: findTask('pair') }));
    ['yes', 'no'].forEach((word, r) => {
      const mean = wte[0]!.map((_, i) => encode(word).reduce((s, id) => s + wte[id]![i]!, 0) / word.length);
      labelled[r]!.forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 5));
    });
    expect(labelled.slice(2).every(isVocabRow)).toBe(true);
    // Without classes (echo) the label rows fall back to sampled vocabulary.
    expect(rowsOf(initialPrompt(model, 3, 'class-labels', { seed: 1, task: findTask('echo') })).every(isVocabRow)).toBe(true);

    const uniform = rowsOf(initialPrompt(model, 6, 'random-uniform', { seed: 1 })).flat();
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(0.5);
    expect(uniform.some((v) => Math.abs(v) > 0.25)).toBe(true);
    model.dispose();
  });

  it('rejects a fractional prompt length', () => {
    expect(() => resolveConfig(promptTuning, findModel('gpt2').arch, { tokens: 2.5 })).toThrow(/whole number/);
  });
});
