import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { profileSaved } from '../method-api/profile';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { mamAdapter } from './mam-adapter';
import { parallelAdapter } from './parallel-adapter';
import { prefixTuning } from './prefix-tuning';

type PrefixConfig = Parameters<typeof prefixTuning.trainableParams>[1];
type AdapterConfig = Parameters<typeof parallelAdapter.trainableParams>[1];

methodContract(mamAdapter, { configs: [{ 'prefix.tokens': 3, 'prefix.projection': 'none', 'adapter.bottleneck': 5, 'adapter.scaling': 'fixed' }] });

beforeAll(useTestBackend);

describe('MAM adapter', () => {
  it('namespaces its parts’ hyperparameters, fixes the adapter beside the FFN and takes the survey’s defaults', () => {
    const arch = findModel('t5-large').arch;
    expect(mamAdapter.hyperparams.map((h) => h.key)).toEqual([
      'prefix.tokens',
      'prefix.projection',
      'prefix.bottleneck',
      'adapter.bottleneck',
      'adapter.scale',
      'adapter.scaling',
    ]);
    expect(resolveConfig(mamAdapter, arch)).toEqual({
      'prefix.tokens': 30,
      'prefix.projection': 'mlp',
      'prefix.bottleneck': 800,
      'adapter.bottleneck': 512,
      'adapter.scale': 1,
      'adapter.scaling': 'learned',
    });
    expect(mamAdapter.traits.inference).toBe('longer-input');
    expect(mamAdapter.traits.addedKeyValues?.(resolveConfig(mamAdapter, arch))).toBe(30);
  });

  // Survey code (xw-yao/peft_comparison): prefix_tuning[bottleneck_size=800,kv_size=d_kv]|scaled_parallel.
  it.each(surveyCounts('mam'))("reproduces the survey's count on %s: %i, prefix tuning plus the scaled parallel adapter", (model, count) => {
    const arch = findModel(model).arch;
    const prefix = prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch, { tokens: 30, bottleneck: 800 }));
    const adapter = parallelAdapter.trainableParams(arch, resolveConfig(parallelAdapter, arch, { bottleneck: 512, placement: 'mlp', scaling: 'learned' }));
    expect(mamAdapter.trainableParams(arch, resolveConfig(mamAdapter, arch))).toBe(count);
    expect(prefix + adapter).toBe(count);
    const [scaledParallel] = surveyCounts('scaled_parallel').find(([m]) => m === model)!.slice(1);
    expect(adapter).toBe(scaledParallel);
  });

  it("T5-11B (no training run): the survey dataset's derived 1,942,753,680", () => {
    const arch = findModel('t5-11b').arch;
    expect(mamAdapter.trainableParams(arch, resolveConfig(mamAdapter, arch))).toBe(1_942_753_680);
  });

  it('T5-Large: three prefix modules of 40,221,472 plus 50,405,424', () => {
    const arch = findModel('t5-large').arch;
    const perModule = 30 * 1024 + (1024 * 800 + 800) + (800 * 49152 + 49152);
    expect(perModule).toBe(40_221_472);
    expect(mamAdapter.trainableParams(arch, resolveConfig(mamAdapter, arch))).toBe(3 * perModule + 50_405_424);
  });

  it('counts and saves exactly what its parts count and save, on every setting', () => {
    for (const id of ['t5-large', 'gpt2', 'meta-llama/Llama-2-7b-hf']) {
      const arch = findModel(id).arch;
      for (const input of [{}, { 'prefix.projection': 'none', 'adapter.scaling': 'fixed', 'adapter.bottleneck': 64 }]) {
        const config = resolveConfig(mamAdapter, arch, input);
        const prefix: PrefixConfig = resolveConfig(prefixTuning, arch, { tokens: config['prefix.tokens'], projection: config['prefix.projection'], bottleneck: config['prefix.bottleneck'] });
        const adapter: AdapterConfig = resolveConfig(parallelAdapter, arch, { bottleneck: config['adapter.bottleneck'], scale: config['adapter.scale'], scaling: config['adapter.scaling'], placement: 'mlp' });
        expect(mamAdapter.trainableParams(arch, config)).toBe(prefixTuning.trainableParams(arch, prefix) + parallelAdapter.trainableParams(arch, adapter));
        // Saved: the prefixes (not their MLP) plus the adapter.
        const saved = prefixTuning.savedParams(arch, prefix) + parallelAdapter.savedParams(arch, adapter);
        expect(mamAdapter.savedParams(arch, config)).toBe(saved);
        expect(profileSaved(mamAdapter.profile(arch, config))).toBe(saved);
      }
    }
  });

  it('applies both parts: once trained, its outputs differ from the prefix alone and from the adapter alone', () => {
    const model = ToyModel.init(TINY_DIMS, 13);
    const base = logitsOf(model);
    const applied = mamAdapter.apply(model, resolveConfig(mamAdapter, model.arch, { 'prefix.tokens': 4, 'prefix.bottleneck': 8, 'adapter.bottleneck': 8 }));
    expect(applied.hooks.keyValuePrefix).toBeDefined();
    expect(applied.hooks.sublayerOutput).toBeDefined();
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const both = logitsOf(model, applied.hooks);
    const prefixOnly = logitsOf(model, { keyValuePrefix: applied.hooks.keyValuePrefix });
    const adapterOnly = logitsOf(model, { sublayerOutput: applied.hooks.sublayerOutput });
    for (const [name, other] of [['base', base], ['prefix alone', prefixOnly], ['adapter alone', adapterOnly]] as const) {
      expect(maxAbsDiff(both, other), name).toBeGreaterThan(1e-3);
    }
    expect(maxAbsDiff(prefixOnly, base)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(adapterOnly, base)).toBeGreaterThan(1e-3);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});
