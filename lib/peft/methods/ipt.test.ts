import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import type { HyperParam, PeftMethod } from '../method-api/types';
import { findModel } from '../models';
import type { ForwardContext } from '../model/hooks';
import { findTask } from '../model/tasks';
import { ToyModel } from '../model/transformer';
import { fixedBatch, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { ipt, iptAutoencoderParams, iptBackProjectionParams, iptParts } from './ipt';

type IptConfig = Parameters<typeof ipt.trainableParams>[1];

/** The method with toy source phases of `steps` steps by default and in its toy config. */
function withSourceSteps<M extends PeftMethod>(method: M, steps: number): M {
  const keys = ['sourceSteps', 'autoencoderSteps'];
  const shorter = (h: HyperParam): HyperParam => (keys.includes(h.key) && h.kind === 'int' ? { ...h, default: steps } : h);
  return { ...method, hyperparams: method.hyperparams.map(shorter), toyConfig: { ...method.toyConfig, sourceSteps: steps, autoencoderSteps: steps } };
}

// The contract's checks (counts, anatomy, frozen weights, leaks, a falling loss) do not depend on the
// length of the source phases; short ones keep them fast. The subspace itself is tested below.
// IST trains d_I = 8 numbers through a frozen map, which on the toy lowers the held-out loss by about
// a tenth in 40 steps (measured on topic at its toy rate: 5.19 → 4.35 after 2-step phases, 4.27 → 3.87
// after 30-step phases), not the 30% the contract asks of methods that train a whole prompt or more:
// it is held to 5% here. The defaults (d_I = 250) and the toy config (d_I = 8) give the count check
// two shapes.
methodContract(withSourceSteps(ipt, 1), { lossRatio: 0.95 });

beforeAll(useTestBackend);

const CTX: ForwardContext = { batch: 1, seq: 1, prefixLength: 0, positions: [0], mode: 'eval', step: 0 };

/** Proj_b(z) = W₃·tanh(W₂·z + b₂) + b₃ in plain arithmetic, from the variables' current values. */
function backProjected(z: Float32Array, w2: Float32Array, b2: Float32Array, w3: Float32Array, b3: Float32Array): Float32Array {
  const m = b2.length;
  const out = Float32Array.from(b3);
  for (let j = 0; j < m; j++) {
    let pre = b2[j]!;
    for (let i = 0; i < z.length; i++) pre += z[i]! * w2[i * m + j]!;
    const h = Math.tanh(pre);
    for (let k = 0; k < out.length; k++) out[k]! += h * w3[j * out.length + k]!;
  }
  return out;
}

describe('IPT on the toy', () => {
  it('trains only the d_I coordinates on the target, and its prompt is always Proj_b of them', () => {
    const model = ToyModel.init(TINY_DIMS, 6);
    const applied = ipt.apply(model, resolveConfig<IptConfig>(ipt, model.arch, { tokens: 4, dim: 3, sourceSteps: 6, autoencoderSteps: 6 }), { seed: 1 });
    const { code, backProjection } = iptParts(applied);
    const trainer = trainerFor(model, applied, { steps: 6, learningRate: 0.05, task: findTask('stray') });
    expect(applied.trainable).toEqual([code]);
    expect(code.size).toBe(3);
    const frozen = Object.values(backProjection).map((v) => v.dataSync().slice() as Float32Array);
    const [w2, b2, w3, b3] = frozen as [Float32Array, Float32Array, Float32Array, Float32Array];
    let previous = code.dataSync().slice() as Float32Array;
    for (let i = 0; i < 6; i++) {
      trainer.step(fixedBatch(i));
      const z = code.dataSync().slice() as Float32Array;
      expect(maxAbsDiff(z, previous), `coordinates move at step ${i + 1}`).toBeGreaterThan(0);
      previous = z;
      Object.values(backProjection).forEach((v, j) => expect(maxAbsDiff(v.dataSync() as Float32Array, frozen[j]!), 'the back-projection is frozen').toBe(0));
      const prompt = applied.hooks.inputPrefix!(CTX) as tfTypes.Tensor2D;
      expect(prompt.shape).toEqual([4, TINY_DIMS.hiddenSize]);
      expect(maxAbsDiff(prompt.dataSync() as Float32Array, backProjected(z, w2, b2, w3, b3))).toBeLessThan(1e-5);
      prompt.dispose();
    }
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('finds its subspace from the source tasks’ prompts; with no source steps it keeps the random back-projection', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const w3After = (sourceSteps: number) => {
      const applied = ipt.apply(model, resolveConfig<IptConfig>(ipt, model.arch, { tokens: 2, dim: 2, sourceSteps, autoencoderSteps: 4 }), { seed: 3 });
      const before = iptParts(applied).backProjection.w3.dataSync().slice() as Float32Array;
      const trainer = trainerFor(model, applied, { steps: 1, learningRate: 0.05, task: findTask('reverse') });
      const moved = maxAbsDiff(iptParts(applied).backProjection.w3.dataSync() as Float32Array, before);
      const sources = [...iptParts(applied).sources.keys()];
      trainer.dispose();
      applied.dispose();
      return { moved, sources };
    };
    const found = w3After(3);
    expect(found.moved).toBeGreaterThan(0);
    expect(found.sources.sort()).toEqual(['echo', 'shift']);
    expect(w3After(0)).toEqual({ moved: 0, sources: [] });
    model.dispose();
  });
});

describe('IPT counts', () => {
  it('trains d_I coordinates on any model: the paper’s 250 free parameters', () => {
    // arXiv 2110.07867 (v3) abstract: "by only tuning 250 free parameters" in a 250-dimensional subspace.
    for (const id of ['t5-base', 'meta-llama/Llama-2-7b-hf']) {
      const arch = findModel(id).arch;
      const config = resolveConfig<IptConfig>(ipt, arch, { tokens: 100, dim: 250 });
      expect(ipt.trainableParams(arch, config), id).toBe(250);
      expect(ipt.savedParams(arch, config), id).toBe(250);
    }
  });

  it('needs an auto-encoder of about 78M parameters at d = 768, l = 100, d_I = 250, as the survey says of BART-base', () => {
    // Survey v1 §7.3: the auto-encoder has ~78M parameters with prompt length 100 on BART-base (d_model 768).
    // Ours: Proj 76,800·250 + 250, Proj_b 250·768 + 768 + 768·76,800 + 76,800 (T5-Base is 768 wide too).
    const arch = findModel('t5-base').arch;
    expect(iptAutoencoderParams(arch, { tokens: 100, dim: 250 })).toBe(19_200_250 + 192_768 + 59_059_200);
    expect(iptAutoencoderParams(arch, { tokens: 100, dim: 250 })).toBeGreaterThan(78e6);
    expect(iptAutoencoderParams(arch, { tokens: 100, dim: 250 })).toBeLessThan(79e6);
    expect(iptBackProjectionParams(arch, { tokens: 100, dim: 250 })).toBe(192_768 + 59_059_200);
  });
});
