import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import type { AppliedMethod } from '../method-api/types';
import type { ModelHooks } from '../model/hooks';
import { ToyModel } from '../model/transformer';
import { findModel } from '../models';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { adamix, expertsOf } from './adamix';

type AdaMixConfig = Parameters<typeof adamix.trainableParams>[1];

methodContract(adamix, {
  configs: [
    { bottleneck: 3, experts: 2, sharing: 'none' },
    { bottleneck: 5, experts: 3, sharing: 'down', placement: 'both', consistency: 0 },
  ],
});

beforeAll(useTestBackend);

/** One plain bottleneck adapter per site, from weights given as numbers: the reference. */
interface PlainAdapter {
  down: Float32Array;
  downBias: Float32Array;
  up: Float32Array;
  upBias: Float32Array;
}

function plainAdapterHooks(adapters: ReadonlyMap<string, PlainAdapter>, hidden: number, m: number): ModelHooks {
  return {
    sublayerOutput(layer, sublayer, output) {
      const a = adapters.get(`${layer}.${sublayer}`);
      if (!a) return output;
      const z = tf.add(tf.matMul(output, tf.tensor2d(a.down, [hidden, m])), tf.tensor1d(a.downBias));
      const act = tf.mul(tf.mul(0.5, z), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3)))))));
      return tf.add(output, tf.add(tf.matMul(act, tf.tensor2d(a.up, [m, hidden])), tf.tensor1d(a.upBias)));
    },
  };
}

const values = (v: tf.Variable) => v.dataSync() as Float32Array;
const average = (vs: readonly tf.Variable[]) => {
  const out = new Float32Array(vs[0]!.size);
  for (const v of vs) values(v).forEach((x, i) => (out[i]! += x / vs.length));
  return out;
};

function trainedAdaMix(config: Record<string, number | string>, steps = 15) {
  const model = ToyModel.init(TINY_DIMS, 31);
  const applied = adamix.apply(model, resolveConfig(adamix, model.arch, config), { seed: 4 });
  const trainer = trainerFor(model, applied, { steps, learningRate: 2e-2, warmupSteps: 1 });
  for (let i = 0; i < steps; i++) trainer.step(fixedBatch(i));
  trainer.dispose();
  return { model, applied, experts: expertsOf(applied)! };
}

function trainLogits(model: ToyModel, applied: AppliedMethod): Float32Array {
  const batch = fixedBatch(99, 8, model.dims.context);
  return tf.tidy(() => model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), applied.hooks, { mode: 'train', step: 0 }).dataSync() as Float32Array);
}

describe('AdaMix on the toy', () => {
  it('evaluates with exactly one adapter whose weights are the experts’ averages; training passes route at random', () => {
    const m = 4;
    const { model, applied, experts } = trainedAdaMix({ bottleneck: m, experts: 4, sharing: 'up' });
    const site = experts.get('0.mlp')!;
    expect(site.downs).toHaveLength(4);
    expect(site.ups).toHaveLength(1);
    expect(maxAbsDiff(values(site.downs[0]!.weight), values(site.downs[1]!.weight)), 'trained experts differ').toBeGreaterThan(1e-4);
    const averaged = new Map(
      [...experts].map(([key, s]) => [
        key,
        { down: average(s.downs.map((p) => p.weight)), downBias: average(s.downs.map((p) => p.bias)), up: average(s.ups.map((p) => p.weight)), upBias: average(s.ups.map((p) => p.bias)) },
      ]),
    );
    const evaluated = logitsOf(model, applied.hooks);
    const reference = tf.tidy(() => logitsOf(model, plainAdapterHooks(averaged, TINY_DIMS.hiddenSize, m)));
    expect(maxAbsDiff(evaluated, reference)).toBeLessThan(1e-5);
    expect(maxAbsDiff(evaluated, logitsOf(model)), 'the adapter changes the outputs').toBeGreaterThan(1e-3);
    const passes = Array.from({ length: 4 }, () => trainLogits(model, applied));
    expect(Math.max(...passes.slice(1).map((p) => maxAbsDiff(p, passes[0]!))), 'two training passes differ').toBeGreaterThan(1e-4);
    applied.dispose();
    model.dispose();
  });

  it('runs every training pass through one down- and one up-projection per site, never their average', () => {
    const m = 3;
    const { model, applied, experts } = trainedAdaMix({ bottleneck: m, experts: 2, sharing: 'none' });
    const keys = [...experts.keys()];
    expect(keys).toEqual(['0.mlp', '1.mlp']);
    // Every route: a choice of down (0, 1) and up (0, 1) at each of the two sites.
    const routes: PlainAdapter[][] = [];
    for (const s of experts.values()) {
      const options: PlainAdapter[] = [];
      for (const down of s.downs) for (const up of s.ups) options.push({ down: values(down.weight), downBias: values(down.bias), up: values(up.weight), upBias: values(up.bias) });
      routes.push(options);
    }
    const outputs = routes[0]!.flatMap((a) => routes[1]!.map((b) => tf.tidy(() => logitsOf(model, plainAdapterHooks(new Map([[keys[0]!, a], [keys[1]!, b]]), TINY_DIMS.hiddenSize, m)))));
    expect(outputs).toHaveLength(16);
    const nearest = (x: Float32Array) => Math.min(...outputs.map((o) => maxAbsDiff(x, o)));
    // logitsOf and trainLogits read the same fixed batch.
    for (let i = 0; i < 5; i++) expect(nearest(trainLogits(model, applied))).toBeLessThan(1e-5);
    expect(nearest(logitsOf(model, applied.hooks)), 'the merged adapter is none of the routes').toBeGreaterThan(1e-4);
    applied.dispose();
    model.dispose();
  });

  it('starts its experts as copies, so two passes agree and the consistency term is zero until training', () => {
    const model = ToyModel.init(TINY_DIMS, 32);
    const applied = adamix.apply(model, resolveConfig(adamix, model.arch, { bottleneck: 4, sharing: 'none' }));
    const [a, b] = [trainLogits(model, applied), trainLogits(model, applied)];
    expect(maxAbsDiff(a!, b!)).toBe(0);
    expect(maxAbsDiff(a!, logitsOf(model, applied.hooks))).toBeLessThan(1e-6);
    applied.dispose();
    model.dispose();
  });

  it('gets its training pass from the trainer and, once the experts differ, a positive consistency term', () => {
    const { model, applied } = trainedAdaMix({ bottleneck: 4, sharing: 'none' });
    const seen: number[] = [];
    const regularizer = applied.regularizer!.bind(applied);
    const watched: AppliedMethod = {
      ...applied,
      regularizer: (pass) => {
        expect(pass?.scores.shape).toEqual([8, TINY_DIMS.context, TINY_DIMS.vocabSize]);
        const value = regularizer(pass);
        seen.push(value.dataSync()[0]!);
        return value;
      },
    };
    const trainer = trainerFor(model, watched, { steps: 3, learningRate: 1e-3 });
    for (let i = 0; i < 3; i++) trainer.step(fixedBatch(40 + i));
    expect(seen).toHaveLength(3);
    expect(Math.max(...seen)).toBeGreaterThan(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('adds the weighted symmetric KL between the two passes, averaged over the scored rows', () => {
    const model = ToyModel.init(TINY_DIMS, 33);
    const applied = adamix.apply(model, resolveConfig(adamix, model.arch, { consistency: 2 }));
    const p = [
      [1, 0, -1],
      [0.5, 2, 0],
    ];
    const q = [
      [0, 0, 0],
      [1, -1, 3],
    ];
    const softmax = (row: number[]) => {
      const e = row.map(Math.exp);
      const s = e.reduce((x, y) => x + y);
      return e.map((x) => x / s);
    };
    const kl = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * Math.log(ai / b[i]!), 0);
    const expected = (2 * p.reduce((s, row, r) => s + 0.5 * (kl(softmax(row), softmax(q[r]!)) + kl(softmax(q[r]!), softmax(row))), 0)) / p.length;
    const batch = { ...fixedBatch(1, 2), classIds: new Int32Array([0, 1]) };
    const value = tf.tidy(() => applied.regularizer!({ batch, scores: tf.tensor2d(p), rerun: () => tf.tensor2d(q) }).dataSync()[0]!);
    expect(value).toBeCloseTo(expected, 5);
    expect(tf.tidy(() => applied.regularizer!().dataSync()[0]), 'no pass, nothing to compare').toBe(0);
    applied.dispose();
    model.dispose();
  });
});

describe('AdaMix on real models', () => {
  // The authors’ scripts (microsoft/AdaMix at d361e9d: bert_base_mnli_expert_soup.sh, README quick start for
  // RoBERTa-large): 4 experts, bottleneck 48 on BERT-base and 16 on RoBERTa-large, --sharing_up 1,
  // one ExpertSoup after every layer's feed-forward output.
  const count = (model: string, bottleneck: number) => {
    const arch = findModel(model).arch;
    const config: AdaMixConfig = resolveConfig(adamix, arch, { bottleneck });
    return { trained: adamix.trainableParams(arch, config), saved: adamix.savedParams(arch, config) };
  };

  it('keeps one averaged adapter per layer: 894,528 on BERT-base (paper, Table 2: 0.9M) and 811,392 on RoBERTa-large (Table 1: 0.8M, 0.23%)', () => {
    // 12 × (768·48 + 48 + 48·768 + 768) and 24 × (1024·16 + 16 + 16·1024 + 1024).
    expect(count('bert-base-uncased', 48).saved).toBe(894_528);
    expect(count('roberta-large', 16).saved).toBe(811_392);
    // "#Param. refers to the number of tunable parameters used during inference"; 0.23% of 355M.
    expect(Math.round(894_528 / 1e5) / 10).toBe(0.9);
    expect(Math.round(811_392 / 1e5) / 10).toBe(0.8);
    expect(Math.round((811_392 / 355e6) * 1e4) / 100).toBe(0.23);
  });

  it('trains four down-projections and one shared up-projection per layer: 2,223,360 on BERT-base, 1,992,192 on RoBERTa-large', () => {
    const bert = count('bert-base-uncased', 48).trained;
    const roberta = count('roberta-large', 16).trained;
    expect(bert).toBe(12 * (4 * (768 * 48 + 48) + 48 * 768 + 768));
    expect(bert).toBe(2_223_360);
    expect(roberta).toBe(1_992_192);
    // The released checkpoints (README: 8.5 MB for BERT-base, 11.7 MB for RoBERTa-large) hold these
    // fp32 experts, their routing-score vectors (4 per expert group, two groups a layer) and the
    // classification head (BERT: 768·3 + 3; RoBERTa: 1024² + 1024 + 1024·3 + 3), in MiB.
    const mib = (scalars: number) => (scalars * 4) / 2 ** 20;
    expect(Math.abs(mib(bert + 12 * 8 + 2_307) - 8.5)).toBeLessThan(0.05);
    expect(Math.abs(mib(roberta + 24 * 8 + 1_052_675) - 11.7)).toBeLessThan(0.1);
    // Without sharing (4 up-projections too) the BERT-base checkpoint would be over 13 MiB.
    const arch = findModel('bert-base-uncased').arch;
    expect(mib(adamix.trainableParams(arch, resolveConfig(adamix, arch, { bottleneck: 48, sharing: 'none' })))).toBeGreaterThan(13);
  });
});
