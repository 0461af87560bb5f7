import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, toyConfig } from '../method-api/config';
import type { HyperValue, PeftMethod } from '../method-api/types';
import { TOY_DIMS, toyArchitecture } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { calibrationBatches } from '../train/session';
import { Trainer, trainableCount, type TrainerOptions } from '../train/trainer';
import { decodeWeights } from '../model/weights';
import { createRng } from '../model/random';
import { TASKS, exampleBatch, findTask, taskBatch, type Batch, type TaskId } from '../model/tasks';
import { TINY_DIMS, useTestBackend } from './tf-test';
import { anatomyMismatches, traceApplied } from './trace';

/**
 * The checks every method passes, whatever it does: its own test file calls
 * `methodContract(method, configs)` and adds the invariants particular to it.
 */

const task = TASKS[0]!;

/** A fixed batch of the first task, the same for every call with the same seed. */
export function fixedBatch(seed: number, size = 8, context = TINY_DIMS.context): Batch {
  const rng = createRng(seed);
  return exampleBatch(Array.from({ length: size }, () => task.sample(rng)), context, task.classes);
}

/** Logits of the model on a fixed batch, as plain numbers. */
export function logitsOf(model: ToyModel, hooks = {}): Float32Array {
  const batch = fixedBatch(99, 8, model.dims.context);
  return tf.tidy(() => model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), hooks).dataSync() as Float32Array);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

/** A trainer for `applied` on `model`, with calibration batches when the method calibrates. */
export function trainerFor(model: ToyModel, applied: ReturnType<PeftMethod['apply']>, options: TrainerOptions): Trainer {
  const runTask = options.task ?? task;
  const calibration = applied.calibrate ? calibrationBatches(runTask.id, 0, model.dims.context, 8) : undefined;
  return new Trainer(model, applied, { ...options, task: runTask, ...(calibration ? { calibration } : {}) });
}

export function loadShippedModel(): ToyModel {
  const { header, values } = decodeWeights(readFileSync('public/models/toy-base.bin'));
  return ToyModel.fromValues(header.dims, values);
}

export interface ContractOptions {
  /** Hyperparameter settings beyond the defaults that exercise the method. */
  configs?: readonly Record<string, HyperValue>[];
  /** Share of the starting held-out loss that 40 steps on the shipped model must get below. */
  lossRatio?: number;
  /** The task of that check (default: the method's `toyTask`, else the first task). */
  task?: TaskId;
}

export function methodContract(method: PeftMethod, { configs = [], lossRatio = 0.7, task: lossTaskId }: ContractOptions = {}): void {
  const lossTask = findTask(lossTaskId ?? method.toyTask ?? task.id);
  describe(`${method.name}: the method contract`, () => {
    beforeAll(useTestBackend);

    // One apply per config serves both checks; the anatomy costs one more forward pass.
    it('trains exactly the number of scalars its profile counts, and attaches where its anatomy says, on the toy and a smaller toy', () => {
      for (const dims of [TOY_DIMS, TINY_DIMS]) {
        const model = ToyModel.init(dims, 1);
        for (const input of [{}, method.toyConfig ?? {}, ...configs]) {
          const config = resolveConfig(method, model.arch, input);
          const applied = method.apply(model, config);
          const trainer = trainerFor(model, applied, { steps: 1, learningRate: 1e-3 });
          // A class head of the task's (applied.taskHead) is trained but counted with the task, not the method.
          const taskHead = (applied.taskHead ?? []).reduce((sum, v) => sum + v.size, 0);
          expect(trainableCount(applied) - taskHead, JSON.stringify(input)).toBe(method.trainableParams(toyArchitecture(dims), config));
          expect(anatomyMismatches(method.anatomy(model.arch, config), traceApplied(model, applied)), `anatomy, ${JSON.stringify(input)}`).toEqual([]);
          trainer.dispose();
          applied.dispose();
        }
        model.dispose();
      }
    });

    it('lowers the held-out loss of the shipped pretrained model within 40 steps', { timeout: 120_000 }, () => {
      const model = loadShippedModel();
      const applied = method.apply(model, toyConfig(method, model.arch), { seed: 1, task: lossTask });
      const trainer = trainerFor(model, applied, { steps: 40, learningRate: method.toyLearningRate, task: lossTask });
      const rng = createRng(21);
      const batchOf = (n: number) => taskBatch(lossTask, rng, n, model.dims.context);
      const heldOut = batchOf(64);
      const before = trainer.evaluate(heldOut).loss;
      for (let i = 0; i < 40; i++) trainer.step(batchOf(8));
      expect(trainer.evaluate(heldOut).loss).toBeLessThan(before * lossRatio);
      trainer.dispose();
      applied.dispose();
      model.dispose();
    });

    it(method.traits.modifiesBaseWeights ? 'changes base weights, as it declares' : 'leaves every frozen weight bit-identical and changes the trained ones', () => {
      const model = ToyModel.init(TINY_DIMS, 2);
      // Taken before apply: a method may rewrite base weights there (a new initialisation) or while training (merges).
      const pristine = model.snapshot();
      const applied = method.apply(model, toyConfig(method, model.arch), { seed: 3 });
      const trainer = trainerFor(model, applied, { steps: 30, learningRate: method.toyLearningRate, warmupSteps: 1 });
      const before = model.snapshot();
      const trained = new Set([...model.weights].filter(([, v]) => applied.trainable.includes(v)).map(([n]) => n));
      for (let i = 0; i < 30; i++) trainer.step(fixedBatch(i));
      // A trainable weight whose gradient mask ends all zero may end where it started (LT-SFT keeps
      // none of its entries for its second phase and resets it): it need not have changed.
      const masks = applied.gradientMasks;
      const maskedOut = new Set([...model.weights].filter(([, v]) => masks?.has(v) && tf.tidy(() => tf.sum(masks.get(v)!).dataSync()[0]) === 0).map(([n]) => n));
      let changedFrozen = 0;
      for (const [name, values] of model.snapshot()) {
        const same = maxAbsDiff(values, before.get(name)!) === 0;
        if (trained.has(name)) {
          if (!maskedOut.has(name)) expect(same, `${name} is trained`).toBe(false);
        } else if (method.traits.modifiesBaseWeights ? maxAbsDiff(values, pristine.get(name)!) !== 0 : !same) changedFrozen++;
      }
      if (method.traits.modifiesBaseWeights) expect(changedFrozen).toBeGreaterThan(0);
      else expect(changedFrozen).toBe(0);
      trainer.dispose();
      applied.dispose();
      model.dispose();
    });

    if (method.traits.inference === 'mergeable') {
      it('merges into the weights without changing its outputs, and unmerges exactly, as a mergeable method must', () => {
        const model = ToyModel.init(TINY_DIMS, 5);
        const applied = method.apply(model, toyConfig(method, model.arch), { seed: 5 });
        const trainer = trainerFor(model, applied, { steps: 10, learningRate: method.toyLearningRate, warmupSteps: 1 });
        for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
        const weights = model.snapshot();
        const unmerged = logitsOf(model, applied.hooks);
        expect(maxAbsDiff(unmerged, logitsOf(model)), 'the trained update changes the outputs').toBeGreaterThan(1e-4);
        expect(applied.merge && applied.unmerge, 'merge and unmerge').toBeDefined();
        applied.merge!();
        expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-4);
        applied.unmerge!();
        for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, weights.get(name)!), name).toBe(0);
        trainer.dispose();
        applied.dispose();
        model.dispose();
      });
    }

    it('keeps the tensor count constant from step to step and frees everything it made', () => {
      const start = tf.memory().numTensors;
      const model = ToyModel.init(TINY_DIMS, 4);
      const applied = method.apply(model, toyConfig(method, model.arch));
      const trainer = trainerFor(model, applied, { steps: 6, learningRate: 1e-3 });
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
}
