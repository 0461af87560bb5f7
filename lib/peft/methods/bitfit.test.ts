import { beforeAll, describe, expect, it } from 'vitest';
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

  it('finds nothing to train in a model without biases', () => {
    expect(bitfit.trainableParams(findModel('meta-llama/Llama-2-7b-hf').arch, {})).toBe(0);
    expect(bitfit.trainableParams(findModel('t5-large').arch, {})).toBe(0);
  });
});
