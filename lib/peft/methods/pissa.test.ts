import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkApplies, resolveConfig, toyConfig } from '../method-api/config';
import { svd } from '../method-api/linalg';
import { findModel } from '../models';
import { createRng } from '../model/random';
import { findTask, taskBatch } from '../model/tasks';
import { TOY_DIMS } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { fixedBatch, loadShippedModel, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';
import { pissa } from './pissa';

type PissaConfig = Parameters<typeof pissa.trainableParams>[1];

methodContract(pissa, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
    { r: 3, targets: ['mlp.fc2'], svd: 'fast', niter: 2 },
    // Per-module ranks and α, and the biases of the targeted maps.
    { r: 2, targets: ['q_proj', 'v_proj', 'fc1'], rankPattern: 'q_proj=3,fc.*=5', alphaPattern: 'v_proj=1', bias: 'lora_only' },
  ],
});

beforeAll(useTestBackend);

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** s·AB of each targeted map, row-major, in the order of `applied.trainable` (A, B per map). */
function scaledProducts(applied: ReturnType<typeof pissa.apply>, scales: readonly number[]): Float32Array[] {
  const out: Float32Array[] = [];
  for (let k = 0; k < applied.trainable.length / 2; k++) {
    const [a, b] = [applied.trainable[2 * k]!, applied.trainable[2 * k + 1]!];
    out.push(tf.tidy(() => values(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), scales[k] ?? scales[0]!))));
  }
  return out;
}

const resolve = (model: ToyModel, input: Record<string, string | number | string[]>) => resolveConfig<PissaConfig>(pissa, model.arch, input);

describe('PiSSA initialisation on the toy', () => {
  // q (64 × 64) and fc1 (64 × 256) of the full-size toy in both layers, in trainable order.
  const targets = ['q_proj', 'fc1'];
  const names = ['h.0.q_proj.weight', 'h.0.fc1.weight', 'h.1.q_proj.weight', 'h.1.fc1.weight'];

  it('writes W_res = W − s·AB into the model, so that W_res + s·AB = W to float32 rounding', () => {
    const model = ToyModel.init(TOY_DIMS, 11);
    const original = model.snapshot();
    const applied = pissa.apply(model, resolve(model, { r: 8, alpha: 16, targets }));
    const products = scaledProducts(applied, [16 / 8]);
    names.forEach((name, k) => {
      const w = original.get(name)!;
      const residual = values(model.weight(name));
      const rebuilt = residual.map((x, i) => x + products[k]![i]!);
      const scale = Math.max(...Array.from(w, Math.abs));
      expect(maxAbsDiff(rebuilt, w) / scale, name).toBeLessThan(1e-6);
      expect(maxAbsDiff(residual, w), `${name} really changed`).toBeGreaterThan(1e-2);
    });
    applied.dispose();
    model.dispose();
  });

  it('computes exactly what the base model did, before any training', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const base = logitsOf(model);
    const applied = pissa.apply(model, resolve(model, { r: 4, targets: ['q_proj', 'v_proj', 'fc1', 'fc2'] }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeLessThan(1e-5);
    applied.dispose();
    model.dispose();
  });

  it("starts s·AB as W's rank-r truncated SVD: its singular values are W's top r, and W_res keeps the rest", () => {
    const model = ToyModel.init(TOY_DIMS, 13);
    const original = model.snapshot();
    const r = 8;
    const applied = pissa.apply(model, resolve(model, { r, alpha: 8, targets }));
    const products = scaledProducts(applied, [1]);
    names.forEach((name, k) => {
      const [rows, cols] = model.weight(name).shape as [number, number];
      const exact = svd(original.get(name)!, rows, cols).s;
      const top = svd(products[k]!, rows, cols).s;
      const rest = svd(values(model.weight(name)), rows, cols).s;
      expect(maxAbsDiff(Float32Array.from(top.slice(0, r)), Float32Array.from(exact.slice(0, r))) / exact[0]!, name).toBeLessThan(1e-5);
      expect(top[r]! / exact[0]!, `${name}: s·AB has rank r`).toBeLessThan(1e-5);
      // The residual's spectrum is W's from r + 1 on (its top r directions are gone).
      expect(maxAbsDiff(Float32Array.from(rest.slice(0, 8)), Float32Array.from(exact.slice(r, r + 8))) / exact[0]!, name).toBeLessThan(1e-5);
    });
    applied.dispose();
    model.dispose();
  });

  it('divides the singular values by the scaling as HF PEFT does, so s·AB is the same for any α', () => {
    const model = ToyModel.init(TINY_DIMS, 14);
    const at = (alpha: number) => {
      const applied = pissa.apply(model, resolve(model, { r: 4, alpha, targets: ['fc1'] }));
      const [a] = applied.trainable;
      const result = { product: scaledProducts(applied, [alpha / 4])[0]!, normA: tf.tidy(() => tf.norm(a!).dataSync()[0]!) };
      applied.dispose(); // restores W for the next call
      return result;
    };
    const [one, four] = [at(4), at(16)];
    expect(maxAbsDiff(one.product, four.product)).toBeLessThan(1e-5);
    // A = U_r·√(S_r/s): four times the scaling, half the size.
    expect(four.normA / one.normA).toBeCloseTo(0.5, 5);
    model.dispose();
  });

  it('with the randomised SVD (pissa_niter_[n]) still rebuilds W exactly, and finds the top subspace better with more iterations', () => {
    const model = loadShippedModel();
    const name = 'h.1.fc1.weight';
    const w = values(model.weight(name));
    const [rows, cols] = model.weight(name).shape as [number, number];
    const energy = (s: readonly number[]) => s.reduce((sum, x) => sum + x * x, 0);
    const exact = energy(svd(w, rows, cols).s.slice(0, 8));
    const captured = (niter: number) => {
      const applied = pissa.apply(model, resolve(model, { r: 8, alpha: 8, targets: ['fc1'], svd: 'fast', niter }));
      const product = scaledProducts(applied, [1])[1]!; // layer 1
      const residual = values(model.weight(name));
      expect(maxAbsDiff(residual.map((x, i) => x + product[i]!), w)).toBeLessThan(1e-5);
      applied.dispose();
      return energy(svd(product, rows, cols).s) / exact;
    };
    const [none, four, sixteen] = [captured(0), captured(4), captured(16)];
    // Measured: 62 %, 97 % and 99.8 % of the energy of the exact top 8 (this matrix's 8th and 9th
    // singular values are close, which slows the iteration down).
    expect(none).toBeLessThan(four);
    expect(four).toBeLessThan(sixteen);
    expect(four).toBeGreaterThan(0.95);
    expect(sixteen).toBeGreaterThan(0.99);
    expect(sixteen).toBeLessThanOrEqual(1 + 1e-6);
    model.dispose();
  });

  it('refuses a rank above what a targeted map can have', () => {
    const model = ToyModel.init(TINY_DIMS, 1);
    const config = resolve(model, { r: 20, targets: ['q_proj'] });
    expect(pissa.notApplicable!(model.arch, config)).toBe("PiSSA's rank 20 exceeds the 16 singular values of self_attn.q_proj (16 × 16).");
    expect(() => pissa.apply(model, config)).toThrow(/exceeds the 16 singular values/);
    model.dispose();
  });
});

describe('PiSSA leaves the model as it found it', () => {
  it('merges to the same outputs, unmerges to W_res bit-exactly, and dispose writes the original W back', () => {
    const model = ToyModel.init(TINY_DIMS, 15);
    const original = model.snapshot();
    const applied = pissa.apply(model, resolve(model, { r: 4, targets: ['q_proj', 'v_proj', 'fc2'] }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const residual = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5); // merged weights need no hooks
    applied.unmerge!();
    for (const [name, v] of model.snapshot()) expect(maxAbsDiff(v, residual.get(name)!), name).toBe(0);
    applied.merge!(); // disposed while merged: still the original W afterwards
    trainer.dispose();
    applied.dispose();
    for (const [name, v] of model.snapshot()) expect(maxAbsDiff(v, original.get(name)!), name).toBe(0);
    model.dispose();
  });
});

describe('PiSSA against LoRA on the toy, same rank and α', () => {
  it('lowers the held-out loss of the shipped model faster over 10 steps on topic (the paper claims faster convergence)', { timeout: 30_000 }, () => {
    // Measured with this test's settings: LoRA 5.146 → 3.779, PiSSA 5.146 → 2.939 (both r = 8, α = 8,
    // lr 5e-3, batch 8). LoRA at α = 16 reaches 3.231, PiSSA at α = 16 2.618; neither lr was tuned apart.
    const task = findTask('topic');
    const heldOutLoss = (method: typeof lora | typeof pissa) => {
      const model = loadShippedModel();
      const config = resolveConfig(method, model.arch, { r: 8, alpha: 8, targets: ['q_proj', 'v_proj'] });
      const applied = method.apply(model, config as never, { seed: 1, task });
      const trainer = trainerFor(model, applied, { steps: 10, learningRate: 5e-3, task });
      const rng = createRng(21);
      const heldOut = taskBatch(task, rng, 64, model.dims.context);
      const before = trainer.evaluate(heldOut).loss;
      for (let i = 0; i < 10; i++) trainer.step(taskBatch(task, rng, 8, model.dims.context));
      const after = trainer.evaluate(heldOut).loss;
      trainer.dispose();
      applied.dispose();
      model.dispose();
      return { before, after };
    };
    const [withLora, withPissa] = [heldOutLoss(lora), heldOutLoss(pissa)];
    expect(withPissa.before).toBeCloseTo(withLora.before, 4); // both start from the base model's function
    expect(withPissa.after).toBeLessThan(withLora.after);
  });
});

describe('PiSSA on real models: counts are LoRA’s (HF PEFT LoraConfig, init_lora_weights="pissa")', () => {
  const count = (id: string, input: Record<string, string | number | string[]> = {}) => {
    const arch = findModel(id).arch;
    return pissa.trainableParams(arch, resolveConfig(pissa, arch, { r: 8, ...input }));
  };

  // HF PEFT's lora.Linear per targeted map: lora_A r × in + lora_B out × r, at the default targets.
  it('Llama 2 7B: q_proj, v_proj (4,096 → 4,096) in 32 layers', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(32 * (8 * 4096 + 4096 * 8) * 2);
    // Published print_trainable_parameters for this LoRA config: "trainable params: 4,194,304".
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(4_194_304);
  });

  it('Qwen2.5 0.5B: q_proj 896 → 896, v_proj 896 → 128 (2 KV heads × 64) in 24 layers', () => {
    expect(count('Qwen/Qwen2.5-0.5B')).toBe(24 * (8 * (896 + 896) + 8 * (896 + 128)));
  });

  it('Mistral 7B: q_proj 4,096 → 4,096, v_proj 4,096 → 1,024 (8 KV heads × 128) in 32 layers', () => {
    expect(count('mistralai/Mistral-7B-v0.1')).toBe(32 * (8 * (4096 + 4096) + 8 * (4096 + 1024)));
  });

  it('T5-Base: q and v (768 → 768) of 12 encoder self-attentions, 12 decoder self- and 12 cross-attentions', () => {
    expect(count('t5-base')).toBe((12 + 12 + 12) * 2 * 8 * (768 + 768));
  });

  it("GPT-2: the fused c_attn (768 → 2,304) in 12 layers", () => {
    expect(count('gpt2')).toBe(12 * 8 * (768 + 2304));
  });

  it('BERT-Base: query and value (768 → 768) in 12 layers', () => {
    expect(count('bert-base-uncased')).toBe(12 * 2 * 8 * (768 + 768));
  });

  it('OPT-125M: q_proj and v_proj (768 → 768) in 12 layers', () => {
    expect(count('facebook/opt-125m')).toBe(12 * 2 * 8 * (768 + 768));
  });

  it('counts exactly as LoRA at the same settings, biases and patterns included', () => {
    for (const id of ['meta-llama/Llama-2-7b-hf', 'gpt2', 'bert-base-uncased', 't5-base']) {
      const arch = findModel(id).arch;
      const head = id === 'bert-base-uncased' ? [] : [{ targets: ['lm_head'], r: 8 }];
      for (const input of [{ r: 16, alpha: 16 }, { r: 4, bias: 'all' }, { r: 4, rankPattern: '.*=2' }, ...head]) {
        const mine = pissa.trainableParams(arch, resolveConfig(pissa, arch, input));
        expect(mine, `${id} ${JSON.stringify(input)}`).toBe(lora.trainableParams(arch, resolveConfig(lora, arch, input)));
      }
    }
  });

  it('does not offer the token embedding, which HF PEFT starts as a plain LoRA under "pissa"', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(() => resolveConfig(pissa, arch, { targets: ['embed_tokens'] })).toThrow();
    expect(pissa.trainableParams(arch, resolveConfig(pissa, arch, { targets: ['lm_head'] }))).toBe(8 * (4096 + 32_000));
  });
});

describe('PiSSA export (HF PEFT LoraConfig)', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;

  it("sets init_lora_weights to 'pissa', or 'pissa_niter_[n]' for the randomised SVD", () => {
    expect(pissa.peft!(resolveConfig(pissa, llama, {}), llama).args).toMatchObject({ r: 8, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'], init_lora_weights: 'pissa' });
    expect(pissa.peft!(resolveConfig(pissa, llama, { svd: 'fast', niter: 16 }), llama).args.init_lora_weights).toBe('pissa_niter_16');
  });

  it('says what the rank-2r LoRA conversion saves: Llama 2 7B at r = 8, 2 × 4,194,304', () => {
    const note = pissa.peft!(resolveConfig(pissa, llama, {}), llama).note!;
    expect(note).toMatch(/path_initial_model_for_weight_conversion/);
    expect(note).toContain(`rank 2r and alpha 2α, ${(2 * 4_194_304).toLocaleString('en-US')} parameters`);
  });

  it('trains something on every family, and the toy config applies', () => {
    for (const id of ['gpt2', 'bert-base-uncased', 'facebook/opt-125m']) {
      const arch = findModel(id).arch;
      expect(() => checkApplies(pissa, arch, resolveConfig(pissa, arch))).not.toThrow();
    }
    const toy = ToyModel.init(TINY_DIMS, 1);
    expect(pissa.notApplicable!(toy.arch, toyConfig(pissa, toy.arch) as PissaConfig)).toBeNull();
    toy.dispose();
  });
});
