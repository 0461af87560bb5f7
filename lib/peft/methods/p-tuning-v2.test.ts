import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TrainingSetup, DEFAULT_SETUP } from '../cost/setup';
import { taskModel } from '../cost/task';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { findTask, taskBatch } from '../model/tasks';
import { createRng } from '../model/random';
import { ToyModel } from '../model/transformer';
import { classificationHead } from '../task-head';
import { methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { answerFeatures } from '../train/loss';
import { evaluate } from '../train/trainer';
import { hfPrefixShape, pTuningV2 } from './p-tuning-v2';
import { prefixTuning } from './prefix-tuning';

type V2Config = Parameters<typeof pTuningV2.trainableParams>[1];

methodContract(pTuningV2, { configs: [{ tokens: 3 }] });

beforeAll(useTestBackend);

describe('P-Tuning v2 on the toy', () => {
  it("scores with its class head: at init the outputs are the head's linear map of the prefixed model's answer features", () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    const task = findTask('topic');
    const applied = pTuningV2.apply(model, resolveConfig(pTuningV2, model.arch, { tokens: 4 }), { seed: 2, task });
    const [, weight, bias] = applied.trainable.slice(-3);
    expect(applied.taskHead).toEqual([weight, bias]);
    expect(weight!.shape).toEqual([TINY_DIMS.hiddenSize, task.classes!.length]);
    // Bias zero at init (BERT's initialiser); the weight is random, not zero.
    expect(tf.tidy(() => tf.max(tf.abs(bias!)).dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.max(tf.abs(weight!)).dataSync()[0])).toBeGreaterThan(0);
    const batch = taskBatch(task, createRng(4), 6, TINY_DIMS.context);
    tf.tidy(() => {
      const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
      const run = { mode: 'eval' as const, step: 0, promptLengths: [...batch.promptLengths] };
      const withPrefix = answerFeatures(model.features(inputs, applied.hooks, run), batch);
      const scores = applied.classifier!(withPrefix);
      expect(scores.shape).toEqual([6, 4]);
      const byHand = tf.add(tf.matMul(withPrefix, weight as tf.Tensor2D), bias!);
      expect(tf.max(tf.abs(tf.sub(scores, byHand))).dataSync()[0]).toBeLessThan(1e-6);
      // The prefixes change what the head reads.
      const bare = answerFeatures(model.features(inputs, {}, run), batch);
      expect(tf.max(tf.abs(tf.sub(withPrefix, bare))).dataSync()[0]).toBeGreaterThan(1e-4);
    });
    applied.dispose();
    model.dispose();
  });

  it('leaks nothing when evaluated outside a tidy (the trainer scores its head there)', () => {
    const model = ToyModel.init(TINY_DIMS, 14);
    const task = findTask('pair');
    const applied = pTuningV2.apply(model, resolveConfig(pTuningV2, model.arch, { tokens: 2 }), { task });
    const batch = taskBatch(task, createRng(6), 4, TINY_DIMS.context);
    evaluate(model, applied, batch);
    const before = tf.memory().numTensors;
    evaluate(model, applied, batch);
    expect(tf.memory().numTensors).toBe(before);
    applied.dispose();
    model.dispose();
  });

  it('sizes the head by the task: two classes for pair, and refuses a task without classes', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const config: V2Config = resolveConfig(pTuningV2, model.arch, { tokens: 2 });
    const pair = pTuningV2.apply(model, config, { task: findTask('pair') });
    expect(pair.taskHead!.map((v) => v.size)).toEqual([TINY_DIMS.hiddenSize * 2, 2]);
    pair.dispose();
    expect(() => pTuningV2.apply(model, config, { task: findTask('echo') })).toThrow(/has none/);
    model.dispose();
  });

  it('gives every layer its own prefix of l keys and l values, trained directly (no reparametrisation)', () => {
    const model = ToyModel.init(TINY_DIMS, 13);
    const applied = pTuningV2.apply(model, resolveConfig(pTuningV2, model.arch, { tokens: 5 }));
    // One flat prefix tensor and the head's weight and bias: nothing produces the prefixes.
    expect(applied.trainable.map((v) => v.shape)).toEqual([[5, TINY_DIMS.layers * 2 * TINY_DIMS.hiddenSize], [TINY_DIMS.hiddenSize, 4], [4]]);
    const ctx = { batch: 1, seq: 1, prefixLength: 0, positions: [0], mode: 'eval' as const, step: 0 };
    const layers = Array.from({ length: TINY_DIMS.layers }, (_, layer) =>
      tf.tidy(() => {
        const kv = applied.hooks.keyValuePrefix!(layer, ctx)!;
        expect(kv.key.shape).toEqual([5, TINY_DIMS.hiddenSize]);
        expect(kv.value.shape).toEqual([5, TINY_DIMS.hiddenSize]);
        return tf.concat([kv.key, kv.value], 1).arraySync();
      }),
    );
    // Each layer reads its own slice: the layers' prefixes differ.
    expect(layers[0]).not.toEqual(layers[1]);
    applied.dispose();
    model.dispose();
  });
});

describe('P-Tuning v2 on real models (HF PEFT PrefixTuningConfig, prefix_projection=False)', () => {
  it('HF PEFT: gpt2-large, 20 virtual tokens, trains 1,843,200', () => {
    // src/peft/peft_model.py, PeftModelForCausalLM docstring (huggingface/peft at 5d602fd): a
    // PREFIX_TUNING config with 20 virtual tokens, prefix_projection False, on gpt2-large (36
    // layers, 1280 wide): "trainable params: 1843200 || all params: 775873280".
    const arch = findModel('gpt2-large').arch;
    expect(pTuningV2.trainableParams(arch, resolveConfig(pTuningV2, arch, { tokens: 20 }))).toBe(1_843_200);
  });

  it('HF PEFT: bloomz-560m, 20 virtual tokens, trains 983,040; the same count as flat Prefix-Tuning', () => {
    // docs/source/package_reference/prefix_tuning.md (huggingface/peft at 5d602fd):
    // PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=20) → "trainable params: 983,040".
    const arch = findModel('bigscience/bloomz-560m').arch;
    const config: V2Config = resolveConfig(pTuningV2, arch, { tokens: 20 });
    expect(pTuningV2.trainableParams(arch, config)).toBe(983_040);
    expect(pTuningV2.savedParams(arch, config)).toBe(983_040);
    expect(prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch, { tokens: 20, projection: 'none' }))).toBe(983_040);
  });

  it('HF PEFT: bert-base-cased for classification trains 370,178, of which the calculator adds the 1,538 of the head with the task', () => {
    // src/peft/peft_model.py, PeftModelForSequenceClassification docstring (huggingface/peft at
    // 5d602fd): PREFIX_TUNING, task_type SEQ_CLS, 20 virtual tokens, prefix_projection False, on
    // bert-base-cased: "trainable params: 370178 || all params: 108680450". The method's share is
    // 20 × 12 × 2 × 768 = 368,640; the rest is BertForSequenceClassification's Linear(768, 2).
    const arch = findModel('bert-base-cased').arch;
    const method = pTuningV2.trainableParams(arch, resolveConfig(pTuningV2, arch, { tokens: 20 }));
    expect(method).toBe(368_640);
    expect(classificationHead(arch, 2).params).toBe(1_538);
    const setup: TrainingSetup = { ...DEFAULT_SETUP, task: 'classification', numLabels: 2 };
    const extra = taskModel(arch, setup).extraTrainable.reduce((sum, g) => sum + g.count * g.shape.reduce((a, b) => a * b, 1), 0);
    expect(method + extra).toBe(370_178);
  });

  it('follows HF PEFT on T5 (one set for the decoder, num_layers from the config) and with grouped-query attention', () => {
    const t5 = findModel('t5-large').arch;
    expect(hfPrefixShape(t5)).toEqual({ layers: 24, tokenDim: 1024 });
    expect(pTuningV2.trainableParams(t5, resolveConfig(pTuningV2, t5, { tokens: 20 }))).toBe(20 * 24 * 2 * 1024);
    // Llama 3 8B: hidden 4096, 32 heads, 8 kv heads → token_dim 1024.
    const llama3 = findModel('meta-llama/Meta-Llama-3-8B').arch;
    expect(hfPrefixShape(llama3)).toEqual({ layers: 32, tokenDim: 1024 });
    expect(pTuningV2.peft!(resolveConfig(pTuningV2, llama3, { tokens: 20 }), llama3).note).toBeUndefined();
    const note = pTuningV2.peft!(resolveConfig(pTuningV2, t5, { tokens: 20 }), t5).note;
    expect(note).toMatch(/decoder only/);
  });
});
