import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { maskedCrossEntropy } from '../train/loss';
import { calibrationBatches } from '../train/session';
import { Trainer, trainableCount } from '../train/trainer';
import { fishMask, maskSize, topK } from './fish-mask';

methodContract(fishMask, { configs: [{ share: 1, samples: 8 }, { share: 12.5, samples: 8 }] });

beforeAll(useTestBackend);

type FishConfig = Parameters<typeof fishMask.apply>[1];
const configFor = (arch: ToyModel['arch'], input: Record<string, number>) => resolveConfig<FishConfig>(fishMask, arch, input);

const batches = () => calibrationBatches('topic', 0, TINY_DIMS.context, 4).slice(0, 3);

/** The mask as one 0/1 array over all weights, in model order (zeros for unmasked weights). */
function flatMask(model: ToyModel, masks: ReadonlyMap<tf.Variable, tf.Tensor>): Uint8Array {
  const parts = [...model.weights.values()].map((v) => {
    const m = masks.get(v);
    return m ? Uint8Array.from(m.dataSync()) : new Uint8Array(v.size);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Σ over examples of the squared per-example gradient, written independently of the method:
 * the loss straight from the forward pass, each example its own batch. */
function directFisher(model: ToyModel): Float64Array {
  const weights = [...model.weights.values()];
  const sums = weights.map((v) => new Float64Array(v.size));
  for (const batch of batches()) {
    for (let b = 0; b < batch.size; b++) {
      const at = (a: Int32Array | Float32Array) => a.slice(b * batch.length, (b + 1) * batch.length);
      const one = { size: 1, length: batch.length, inputs: at(batch.inputs) as Int32Array, labels: at(batch.labels) as Int32Array, mask: at(batch.mask) as Float32Array, promptLengths: batch.promptLengths.slice(b, b + 1) };
      const { value, grads } = tf.variableGrads(() => {
        const inputs = tf.tensor2d(one.inputs, [1, one.length], 'int32');
        return maskedCrossEntropy(model.forward(inputs), one);
      }, weights);
      weights.forEach((v, i) => {
        const g = grads[v.name]!.dataSync();
        const s = sums[i]!;
        for (let j = 0; j < g.length; j++) s[j]! += (g[j] as number) ** 2;
      });
      tf.dispose([value, ...Object.values(grads)]);
    }
  }
  const out = new Float64Array(sums.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of sums) {
    out.set(s, offset);
    offset += s.length;
  }
  return out;
}

describe('FISH Mask on the toy', () => {
  it('keeps exactly k weights, the ones with the largest Fisher information', () => {
    const model = ToyModel.init(TINY_DIMS, 31);
    const config = configFor(model.arch, { share: 2 });
    const k = maskSize(model.parameterCount(), 2);
    expect(k).toBe(Math.floor(5_696 * 0.02)); // the tiny toy has 5,696 parameters
    const applied = fishMask.apply(model, config);
    const trainer = new Trainer(model, applied, { steps: 1, learningRate: 1e-3, calibration: batches() });
    const mask = flatMask(model, applied.gradientMasks!);
    expect(mask.reduce((n, x) => n + x, 0)).toBe(k);
    expect(trainableCount(applied)).toBe(k);
    // Only weights the mask reaches are trained, and each of them has a mask.
    for (const v of applied.trainable) expect(applied.gradientMasks!.get(v)).toBeDefined();
    expect(applied.trainable.length).toBeLessThan(model.weights.size);

    const fisher = directFisher(model);
    let minKept = Infinity;
    let maxDropped = -Infinity;
    fisher.forEach((f, i) => {
      if (mask[i]) minKept = Math.min(minKept, f);
      else maxDropped = Math.max(maxDropped, f);
    });
    // float32 accumulation in the method against float64 here: equal up to rounding
    expect(minKept).toBeGreaterThanOrEqual(maxDropped * (1 - 1e-4));
    expect(minKept).toBeGreaterThan(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('calibrates to the same mask for the same batches', () => {
    const model = ToyModel.init(TINY_DIMS, 32);
    const config = configFor(model.arch, { share: 3 });
    const masks = [0, 1].map(() => {
      const applied = fishMask.apply(model, config);
      const trainer = new Trainer(model, applied, { steps: 1, learningRate: 1e-3, calibration: batches() });
      const m = flatMask(model, applied.gradientMasks!);
      trainer.dispose();
      applied.dispose();
      return m;
    });
    expect(masks[0]).toEqual(masks[1]);
    model.dispose();
  });

  it('moves only masked-in elements while training, and some of them', () => {
    const model = ToyModel.init(TINY_DIMS, 33);
    const applied = fishMask.apply(model, configFor(model.arch, { share: 2 }));
    const trainer = trainerFor(model, applied, { steps: 15, learningRate: 1e-2, warmupSteps: 1 });
    const before = model.snapshot();
    const mask = flatMask(model, applied.gradientMasks!);
    for (let i = 0; i < 15; i++) trainer.step(fixedBatch(i));
    const after = model.snapshot();
    let offset = 0;
    let movedKept = 0;
    let movedMasked = 0;
    for (const [name, values] of after) {
      const old = before.get(name)!;
      values.forEach((x, j) => {
        if (x === old[j]) return;
        if (mask[offset + j]) movedKept++;
        else movedMasked++;
      });
      offset += values.length;
    }
    expect(movedMasked).toBe(0);
    expect(movedKept).toBeGreaterThan(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('breaks ties at the threshold by position, never exceeding k', () => {
    expect([...topK(Float32Array.from([1, 3, 3, 3, 0, 3]), 2)]).toEqual([0, 1, 1, 0, 0, 0]);
    expect([...topK(Float32Array.from([5, 1, 1, 1]), 3)]).toEqual([1, 1, 1, 0]);
    expect([...topK(Float32Array.from([0, 0, 0]), 1)]).toEqual([1, 0, 0]);
  });
});

describe('FISH Mask on real models', () => {
  // The reference code keeps int(total · keep_ratio) weights; the totals below are independent:
  // T5-Large's from the survey's full fine-tuning run (737,668,096), the others from models.json.
  it.each(surveyCounts('full_tuning').slice(0, 1))('keeps ⌊0.5% · N⌋ weights of %s (N = %i): 3,688,340', (model, total) => {
    const arch = findModel(model).arch;
    expect(totalParams(arch)).toBe(total);
    const config = configFor(arch, {});
    expect(fishMask.trainableParams(arch, config)).toBe(3_688_340);
    // values and their positions
    expect(fishMask.savedParams(arch, config)).toBe(2 * 3_688_340);
  });

  it("counts the paper's BERT-Large setting from the model's published total", () => {
    // bert-large-uncased: 335,141,888 parameters as HF transformers loads BertModel (pooler included).
    const arch = findModel('bert-large-uncased').arch;
    expect(totalParams(arch)).toBe(335_141_888);
    expect(fishMask.trainableParams(arch, resolveConfig(fishMask, arch, { share: 0.5 }))).toBe(1_675_709);
  });

  it('rejects shares outside (0, 100]', () => {
    const arch = findModel('gpt2').arch;
    expect(() => resolveConfig(fishMask, arch, { share: 0 })).toThrow(/between/);
    expect(() => resolveConfig(fishMask, arch, { share: 101 })).toThrow(/between/);
  });
});
