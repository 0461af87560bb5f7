import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { adapters } from './adapters';

methodContract(adapters, { configs: [{ bottleneck: 3, placement: 'mlp' }, { bottleneck: 5, placement: 'attention' }] });

beforeAll(useTestBackend);

describe('Adapters on the toy', () => {
  it('start close to the identity and really change the output once trained', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const base = logitsOf(model);
    const applied = adapters.apply(model, resolveConfig(adapters, model.arch));
    const atInit = maxAbsDiff(logitsOf(model, applied.hooks), base);
    expect(atInit).toBeGreaterThan(0);
    expect(atInit).toBeLessThan(1e-3);
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeGreaterThan(1e-2);
  });
});

describe('Adapters on real models', () => {
  // AdapterHub reduction factor 16 on d_model = 1024: a bottleneck of 64.
  it.each(surveyCounts('houlsby'))("reproduce the survey's Houlsby count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(adapters.trainableParams(arch, resolveConfig(adapters, arch, { bottleneck: 64, placement: 'both' }))).toBe(count);
  });

  it.each(surveyCounts('pfeiffer'))("reproduce the survey's Pfeiffer count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(adapters.trainableParams(arch, resolveConfig(adapters, arch, { bottleneck: 64, placement: 'mlp' }))).toBe(count);
  });

  it('rejects an unknown placement', () => {
    expect(() => resolveConfig(adapters, findModel('gpt2').arch, { placement: 'sideways' })).toThrow(/Placement must be one of/);
  });
});
