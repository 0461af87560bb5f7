import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToyModel } from '../model/transformer';
import { decodeWeights } from '../model/weights';
import { useTestBackend } from '../testing/tf-test';
import type { FromWorker, ProgressMessage, RunRequest } from './protocol';
import { evalDue, runFineTune } from './session';

beforeAll(useTestBackend);

function shippedModel(): ToyModel {
  const { header, values } = decodeWeights(readFileSync('public/models/toy-base.bin'));
  return ToyModel.fromValues(header.dims, values);
}

const request: RunRequest = { method: 'lora', config: {}, task: 'topic', steps: 12, batchSize: 4, learningRate: 5e-3, seed: 0, evalEvery: 1 };

describe('a playground run', () => {
  it('reports ready, a progress message per step and a result, with no tensor growth while evaluating', async () => {
    const model = shippedModel();
    const messages: FromWorker[] = [];
    const before = tf.memory().numTensors;
    await runFineTune(model, request, (m) => messages.push(m), { stopped: () => false, proceed: async () => {} });
    const progress = messages.filter((m): m is ProgressMessage => m.type === 'progress');
    expect(messages[0]).toMatchObject({ type: 'ready', trainable: 2048 * 2, total: model.parameterCount() });
    expect(progress.map((p) => p.step)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(progress.every((p) => p.eval !== null && p.msPerStep > 0)).toBe(true);
    expect(new Set(progress.slice(1).map((p) => p.tensors)).size).toBe(1);
    const finished = messages.at(-1);
    expect(finished).toMatchObject({ type: 'finished', stopped: false, steps: 12 });
    if (finished?.type === 'finished') expect(finished.samples.every((s) => typeof s.tuned === 'string')).toBe(true);
    // Everything the run created is freed: only the model's own weights remain.
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('stops early when asked, and reports a bad configuration as an error', async () => {
    const model = shippedModel();
    const messages: FromWorker[] = [];
    let steps = 0;
    await runFineTune(model, request, (m) => (m.type === 'progress' ? (steps = m.step) : messages.push(m)), { stopped: () => steps >= 3, proceed: async () => {} });
    expect(messages.at(-1)).toMatchObject({ type: 'finished', stopped: true, steps: 3 });
    await expect(runFineTune(model, { ...request, config: { r: 0 } }, () => {}, { stopped: () => false, proceed: async () => {} })).rejects.toThrow(/Rank r must be between/);
    model.dispose();
  });
});

describe('stopping at the target', () => {
  it('evaluates every 30 steps while the training batches are far from the target, every 10 once near', () => {
    const far = [0.3, 0.4, 0.5];
    const near = [0.55, 0.6, 0.7];
    expect([10, 20, 30, 40, 60].map((s) => evalDue(s, 10, far, 0.75))).toEqual([false, false, true, false, true]);
    expect([10, 15, 20, 40].map((s) => evalDue(s, 10, near, 0.75))).toEqual([true, false, true, true]);
    expect(evalDue(10, 10, [], 0.75)).toBe(false);
  });

  const run = async (extra: Partial<RunRequest>) => {
    const model = shippedModel();
    const messages: FromWorker[] = [];
    await runFineTune(model, { ...request, steps: 6, evalEvery: 2, ...extra }, (m) => messages.push(m), { stopped: () => false, proceed: async () => {} });
    model.dispose();
    const progress = messages.filter((m): m is ProgressMessage => m.type === 'progress');
    const finished = messages.at(-1);
    if (finished?.type !== 'finished') throw new Error(`the run did not finish: ${JSON.stringify(finished)}`);
    return { progress, finished };
  };

  it('ends at the first evaluation that reaches the target, and reports that evaluation as the result', async () => {
    // Any evaluation reaches a target of 0: the first, after step 2.
    const { progress, finished } = await run({ stopAtTarget: true, target: 0 });
    expect(progress.map((p) => p.step)).toEqual([1, 2]);
    expect(progress.map((p) => p.targetReached === true)).toEqual([false, true]);
    expect(finished).toMatchObject({ stopped: false, stoppedAtTarget: true, steps: 2, target: { value: 0, reachedAtStep: 2 } });
    // No second evaluation of the same weights: the result is the one that reached the target.
    expect(finished.final).toEqual(progress[1]?.eval);
  });

  it('only reports the target without stopAtTarget, and says when a run never reaches it', async () => {
    const reached = await run({ target: 0 });
    expect(reached.progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reached.progress.filter((p) => p.targetReached).map((p) => p.step)).toEqual([2]);
    expect(reached.finished).toMatchObject({ stoppedAtTarget: false, steps: 6, target: { value: 0, reachedAtStep: 2 } });
    // Six steps from a base model at 0% on topic do not reach the task's own target (75%).
    const missed = await run({ stopAtTarget: true });
    expect(missed.progress.some((p) => p.targetReached)).toBe(false);
    expect(missed.finished).toMatchObject({ stoppedAtTarget: false, steps: 6, target: { value: 0.75, reachedAtStep: null } });
  });
});

describe('gradient norm', () => {
  it('equals the L2 norm over all tensors, for many tensors', async () => {
    const { AdamW } = await import('./adamw');
    const tensors = Array.from({ length: 40 }, (_, i) => tf.fill([3, 2], i + 1));
    const expected = Math.sqrt(Array.from({ length: 40 }, (_, i) => 6 * (i + 1) ** 2).reduce((a, b) => a + b, 0));
    const norm = AdamW.globalNorm(tensors);
    expect(norm.dataSync()[0]).toBeCloseTo(expected, 2);
    tf.dispose([norm, ...tensors]);
  });
});
