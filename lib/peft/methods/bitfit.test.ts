import { beforeAll, describe, expect, it } from 'vitest';
import { checkApplies, notApplicableReason } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { bitfit } from './bitfit';

methodContract(bitfit);

beforeAll(useTestBackend);

describe('BitFit', () => {
  it('trains the biases and nothing else', () => {
    const model = ToyModel.init(TINY_DIMS, 10);
    const applied = bitfit.apply(model, {});
    const names = [...model.weights].filter(([, v]) => applied.trainable.includes(v)).map(([n]) => n);
    expect(names.length).toBe(TINY_DIMS.layers * 8 + 1);
    expect(names.every((n) => n.endsWith('.bias'))).toBe(true);
  });

  it('finds nothing to train in a model without biases, and says so instead of a count of 0', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(bitfit.trainableParams(llama, {})).toBe(0);
    expect(bitfit.trainableParams(findModel('t5-large').arch, {})).toBe(0);
    expect(bitfit.notApplicable!(llama, {})).toBe('BitFit trains bias vectors, and Llama 2 7B has none.');
    expect(() => checkApplies(bitfit, llama, {})).toThrow(new RangeError('BitFit trains bias vectors, and Llama 2 7B has none.'));
    expect(notApplicableReason(bitfit, findModel('t5-large').arch, {})).toMatch(/^BitFit trains bias vectors, and T5.* has none\.$/);
  });

  it('applies to BERT, whose maps and LayerNorms have biases', () => {
    const bert = findModel('bert-base-uncased').arch;
    expect(bitfit.notApplicable!(bert, {})).toBeNull();
    expect(() => checkApplies(bitfit, bert, {})).not.toThrow();
    // 12 layers × (4 × 768 + 3,072 + 768 + 2 × 768) in the blocks, and embeddings.LayerNorm.bias (768).
    expect(bitfit.trainableParams(bert, {})).toBe(101_376 + 768);
  });
});
