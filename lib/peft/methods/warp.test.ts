import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { TASKS, findTask, taskBatch } from '../model/tasks';
import { toyArchitecture } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { createRng } from '../model/random';
import { loadShippedModel, methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { answerFeatures } from '../train/loss';
import { verbalizerToken, warp } from './warp';

type WarpConfig = Parameters<typeof warp.trainableParams>[1];

// WARP₀ (no prompts) on the two-class task, and a few prompts.
methodContract(warp, { configs: [{ prompts: 0, classes: 2 }, { prompts: 3, classes: 2 }] });

beforeAll(useTestBackend);

/** Class scores and the LM's logits of each class's first token, at the answer position, through the same prompts. */
function scoresAndLmLogits(model: ToyModel, config: WarpConfig, taskId: 'topic' | 'pair', seed: number) {
  const task = findTask(taskId);
  const applied = warp.apply(model, config, { seed, task });
  const batch = taskBatch(task, createRng(seed), 6, model.dims.context);
  const tokens = task.classes!.map(verbalizerToken);
  const [scores, lm] = tf.tidy(() => {
    const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
    const run = { mode: 'eval' as const, step: 0, promptLengths: [...batch.promptLengths] };
    const features = answerFeatures(model.features(inputs, applied.hooks, run), batch);
    const logits = tf.matMul(features, model.weight('wte'), false, true);
    return [applied.classifier!(features).arraySync() as number[][], (logits.arraySync() as number[][]).map((row) => tokens.map((t) => row[t]!))];
  });
  applied.dispose();
  return { scores, lm };
}

describe('WARP on the toy', () => {
  it('scores the classes at initialisation exactly as the LM head scores their first tokens', () => {
    const model = loadShippedModel();
    for (const [taskId, prompts] of [['topic', 4], ['pair', 0], ['pair', 6]] as const) {
      const config: WarpConfig = resolveConfig(warp, model.arch, { prompts, classes: findTask(taskId).classes!.length });
      const { scores, lm } = scoresAndLmLogits(model, config, taskId, 3);
      for (let b = 0; b < scores.length; b++) {
        for (let c = 0; c < scores[b]!.length; c++) expect(scores[b]![c]!, `${taskId} row ${b} class ${c}`).toBeCloseTo(lm[b]![c]!, 5);
      }
    }
    model.dispose();
  });

  it('takes each class embedding from the token its answer starts with', () => {
    expect(TASKS.flatMap((t) => t.classes ?? []).map((c) => [c, verbalizerToken(c)])).toContainEqual(['animal', verbalizerToken('a')]);
    const model = ToyModel.init(TINY_DIMS, 7);
    const task = findTask('topic');
    const applied = warp.apply(model, resolveConfig(warp, model.arch, { prompts: 2, classes: 4 }), { task });
    const [, embeddings, bias] = applied.trainable;
    const wte = model.weight('wte').arraySync() as number[][];
    expect(embeddings!.arraySync()).toEqual(task.classes!.map((c) => wte[verbalizerToken(c)]));
    expect(bias!.arraySync()).toEqual([0, 0, 0, 0]);
    applied.dispose();
    model.dispose();
  });

  it('sizes the head by the run’s task, and by the task with that many classes when a test gives none', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const h = TINY_DIMS.hiddenSize;
    const config: WarpConfig = resolveConfig(warp, model.arch, { prompts: 2, classes: 2 });
    const sizes = (task?: (typeof TASKS)[number]) => {
      const applied = warp.apply(model, config, task ? { task } : {});
      const shapes = applied.trainable.map((v) => v.shape);
      applied.dispose();
      return shapes;
    };
    expect(sizes()).toEqual([[2, h], [2, h], [2]]);
    expect(sizes(findTask('stray'))).toEqual([[2, h], [4, h], [4]]);
    expect(() => warp.apply(model, resolveConfig(warp, model.arch, { classes: 3 }))).toThrow(/no toy classification task has 3 classes/);
    model.dispose();
  });

  it('trains the prompts and the classes only: no hook without prompts, a prefix with them', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const none = warp.apply(model, resolveConfig(warp, model.arch, { prompts: 0, classes: 4 }));
    expect(none.hooks).toEqual({});
    none.dispose();
    const some = warp.apply(model, resolveConfig(warp, model.arch, { prompts: 5, classes: 4 }));
    const ctx = { batch: 1, seq: 3, prefixLength: 0, positions: [0, 1, 2], mode: 'eval' as const, step: 0 };
    expect(some.hooks.inputPrefix!(ctx)!.shape).toEqual([5, TINY_DIMS.hiddenSize]);
    some.dispose();
    model.dispose();
  });
});

describe('WARP on real models (the authors’ code: P·E + C·E + C)', () => {
  const roberta = findModel('roberta-large').arch;
  const count = (arch: typeof roberta, input: { prompts: number; classes: number }) => warp.trainableParams(arch, resolveConfig(warp, arch, input));

  it('counts RoBERTa-large within the paper’s “up to 25K trainable parameters per task”', () => {
    // README, "Training WARP": RTE on roberta-large with prompts -10 … -29 (20 trained vectors;
    // the <mask> and the two input segments are not trained), 2 labels, classifier_bias true.
    expect(count(roberta, { prompts: 20, classes: 2 })).toBe(20 * 1024 + 2 * 1024 + 2);
    expect(count(roberta, { prompts: 20, classes: 2 })).toBe(22_530);
    // MNLI, three labels, is the largest GLUE label set: still under the abstract's 25K.
    expect(count(roberta, { prompts: 20, classes: 3 })).toBe(23_555);
    expect(count(roberta, { prompts: 20, classes: 3 })).toBeLessThanOrEqual(25_000);
    // README, "WARP_0": prompts [null, "<mask>"], nothing trained but the class layer.
    expect(count(roberta, { prompts: 0, classes: 3 })).toBe(3 * 1024 + 3);
  });

  it('makes prompts and class embeddings as wide as the word embeddings (the injector’s embedding_dim)', () => {
    // OPT-350m's word embeddings are 512 wide, projected to its 1024-wide blocks and back.
    const opt = findModel('facebook/opt-350m').arch;
    expect(opt.embeddingSize).toBe(512);
    expect(count(opt, { prompts: 20, classes: 2 })).toBe(20 * 512 + 2 * 512 + 2);
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(count(llama, { prompts: 8, classes: 4 })).toBe(8 * 4096 + 4 * 4096 + 4);
    // The toy: 64-wide embeddings, the contract's default config (20 prompts, 2 classes).
    expect(warp.trainableParams(toyArchitecture(), resolveConfig(warp, toyArchitecture(), {}))).toBe(20 * 64 + 2 * 64 + 2);
  });

  it('adds its prompts to the input length and saves what it trains', () => {
    const config: WarpConfig = resolveConfig(warp, roberta, { prompts: 20, classes: 3 });
    expect(warp.traits.addedTokens!(config)).toBe(20);
    expect(warp.savedParams(roberta, config)).toBe(warp.trainableParams(roberta, config));
  });
});
