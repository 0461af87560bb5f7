import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { METHODS, findPeftMethod } from '../registry';
import { ToyModel } from '../model/transformer';
import { TOY_DIMS, toyArchitecture } from '../model/toy-arch';
import { TASKS, exampleBatch } from '../model/tasks';
import { createRng } from '../model/random';
import { decodeWeights } from '../model/weights';
import { Trainer, DivergedError } from '../train/trainer';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { resolveConfig } from './config';
import type { MethodConfig, PeftMethod } from './types';

beforeAll(useTestBackend);

const task = TASKS[0]!;
const fixedBatch = (seed: number) => {
  const rng = createRng(seed);
  return exampleBatch(Array.from({ length: 8 }, () => task.sample(rng)), TINY_DIMS.context);
};

function logitsOf(model: ToyModel, hooks = {}): Float32Array {
  const batch = fixedBatch(99);
  return tf.tidy(() => model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), hooks).dataSync() as Float32Array);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

/** Configs per method that exercise its hyperparameters, beyond the defaults. */
const CONFIGS: Record<string, Record<string, number | string | string[]>[]> = {
  'full-fine-tuning': [{}],
  lora: [{}, { r: 2, alpha: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] }, { r: 5, targets: ['fc2'] }],
  adapters: [{}, { bottleneck: 3, placement: 'mlp' }, { bottleneck: 5, placement: 'attention' }],
  'prompt-tuning': [{}, { tokens: 3 }],
  bitfit: [{}],
};

describe.each(METHODS.map((m) => [m.id, m] as [string, PeftMethod]))('%s', (_id, method) => {
  it('trains exactly the number of scalars trainableParams predicts, on the toy and a smaller toy', () => {
    for (const dims of [TOY_DIMS, TINY_DIMS]) {
      const model = ToyModel.init(dims, 1);
      for (const input of CONFIGS[method.id] ?? [{}]) {
        const config = resolveConfig(method, model.arch, input);
        const applied = method.apply(model, config);
        const created = applied.trainable.reduce((sum, v) => sum + v.size, 0);
        expect(created).toBe(method.trainableParams(toyArchitecture(dims), config));
        applied.dispose();
      }
      model.dispose();
    }
  });

  it('lowers the loss of the shipped pretrained model on a new task within 40 steps', { timeout: 30_000 }, () => {
    const { header, values } = decodeWeights(readFileSync('public/models/toy-base.bin'));
    const model = ToyModel.fromValues(header.dims, values);
    const applied = method.apply(model, resolveConfig(method, model.arch), { seed: 1 });
    const trainer = new Trainer(model, applied, { steps: 40, learningRate: method.toyLearningRate });
    const rng = createRng(21);
    const heldOut = exampleBatch(Array.from({ length: 64 }, () => task.sample(rng)), header.dims.context);
    const before = trainer.evaluate(heldOut).loss;
    for (let i = 0; i < 40; i++) trainer.step(exampleBatch(Array.from({ length: 8 }, () => task.sample(rng)), header.dims.context));
    expect(trainer.evaluate(heldOut).loss).toBeLessThan(before * 0.7);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('leaves every frozen weight bit-identical and changes the trained ones', () => {
    const model = ToyModel.init(TINY_DIMS, 2);
    const applied = method.apply(model, resolveConfig(method, model.arch), { seed: 3 });
    const before = model.snapshot();
    const trained = new Set([...model.weights].filter(([, v]) => applied.trainable.includes(v)).map(([n]) => n));
    const trainer = new Trainer(model, applied, { steps: 30, learningRate: method.toyLearningRate, warmupSteps: 1 });
    for (let i = 0; i < 30; i++) trainer.step(fixedBatch(i));
    for (const [name, values] of model.snapshot()) {
      const same = maxAbsDiff(values, before.get(name)!) === 0;
      expect(same, name).toBe(!trained.has(name));
    }
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('keeps the tensor count constant from step to step and frees everything it made', () => {
    const start = tf.memory().numTensors;
    const model = ToyModel.init(TINY_DIMS, 4);
    const applied = method.apply(model, resolveConfig(method, model.arch));
    const trainer = new Trainer(model, applied, { steps: 5, learningRate: 1e-3 });
    const batch = fixedBatch(6);
    trainer.step(batch);
    const counts = [1, 2, 3].map(() => {
      trainer.step(batch);
      return tf.memory().numTensors;
    });
    expect(new Set(counts).size).toBe(1);
    trainer.dispose();
    applied.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('LoRA', () => {
  const lora = findPeftMethod('lora');

  it('leaves the outputs unchanged while B is zero', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { targets: ['q_proj', 'v_proj', 'fc1'] }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
  });

  it('gives the same outputs merged and unmerged, and unmerging restores W', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { r: 4, targets: ['q_proj', 'v_proj', 'fc2'] }));
    const trainer = new Trainer(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4); // the update is not trivial
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5); // merged weights need no hooks
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBeLessThan(1e-6);
  });
});

describe('Adapters', () => {
  it('start close to the identity and really change the output once trained', () => {
    const adapters = findPeftMethod('adapters');
    const model = ToyModel.init(TINY_DIMS, 9);
    const base = logitsOf(model);
    const applied = adapters.apply(model, resolveConfig(adapters, model.arch));
    const atInit = maxAbsDiff(logitsOf(model, applied.hooks), base);
    expect(atInit).toBeGreaterThan(0);
    expect(atInit).toBeLessThan(1e-3);
    const trainer = new Trainer(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeGreaterThan(1e-2);
  });
});

describe('BitFit', () => {
  it('trains the biases and nothing else', () => {
    const bitfit = findPeftMethod('bitfit');
    const model = ToyModel.init(TINY_DIMS, 10);
    const applied = bitfit.apply(model, {});
    const names = [...model.weights].filter(([, v]) => applied.trainable.includes(v)).map(([n]) => n);
    expect(names.length).toBe(TINY_DIMS.layers * 8 + 1);
    expect(names.every((n) => n.endsWith('.bias'))).toBe(true);
  });
});

describe('Prompt tuning', () => {
  it('changes the outputs through the prompt alone', () => {
    const pt = findPeftMethod('prompt-tuning');
    const model = ToyModel.init(TINY_DIMS, 11);
    const applied = pt.apply(model, resolveConfig(pt, model.arch, { tokens: 4 }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBeGreaterThan(1e-4);
  });
});

describe('the trainer', () => {
  it('stops with DivergedError when the loss becomes NaN', () => {
    const pt = findPeftMethod('prompt-tuning');
    const model = ToyModel.init(TINY_DIMS, 12);
    const applied = pt.apply(model, resolveConfig(pt, model.arch));
    applied.trainable[0]!.assign(tf.fill(applied.trainable[0]!.shape, NaN));
    const trainer = new Trainer(model, applied, { steps: 5, learningRate: 1e-3 });
    expect(() => trainer.step(fixedBatch(1))).toThrow(DivergedError);
  });
});

describe('counting on a real-size architecture', () => {
  it('full fine-tuning counts every parameter; LoRA counts r·(in+out) per target per layer', () => {
    const arch = toyArchitecture(TOY_DIMS);
    const config: MethodConfig = resolveConfig(findPeftMethod('lora'), arch, { r: 8 });
    expect(findPeftMethod('full-fine-tuning').trainableParams(arch, {})).toBe(totalParams(arch));
    expect(findPeftMethod('lora').trainableParams(arch, config)).toBe(2 * 2 * 8 * (64 + 64));
  });

  it('rejects impossible hyperparameters with a message naming them', () => {
    const arch = toyArchitecture(TOY_DIMS);
    expect(() => resolveConfig(findPeftMethod('lora'), arch, { r: 0 })).toThrow(/Rank r must be between 1/);
    expect(() => resolveConfig(findPeftMethod('lora'), arch, { targets: ['c_attn'] })).toThrow(/no linear map named "c_attn"/);
    expect(() => resolveConfig(findPeftMethod('adapters'), arch, { placement: 'sideways' })).toThrow(/Placement must be one of/);
    expect(() => resolveConfig(findPeftMethod('prompt-tuning'), arch, { tokens: 2.5 })).toThrow(/whole number/);
  });
});
