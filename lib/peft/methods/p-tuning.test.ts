import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import type { ForwardContext } from '../model/hooks';
import { toyArchitecture } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { classificationHead } from '../task-head';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { maskedCrossEntropy } from '../train/loss';
import { pTuning } from './p-tuning';

type PConfig = Parameters<typeof pTuning.trainableParams>[1];

methodContract(pTuning, { configs: [{ tokens: 3, hidden: 5 }, { tokens: 4, hidden: 3, encoder: 'lstm', lstmLayers: 2 }, { tokens: 2, hidden: 4, encoder: 'lstm', lstmLayers: 1 }] });

beforeAll(useTestBackend);

const bare = (): ForwardContext => ({ batch: 1, seq: 1, prefixLength: 0, positions: [0], mode: 'eval', step: 0 });

describe('P-Tuning on the toy', () => {
  it('puts l encoder outputs before the input, and they change the outputs', () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    for (const encoder of ['mlp', 'lstm']) {
      const applied = pTuning.apply(model, resolveConfig(pTuning, model.arch, { tokens: 5, hidden: 6, encoder }));
      const prompt = tf.tidy(() => applied.hooks.inputPrefix!(bare())!.arraySync());
      expect(prompt.length, encoder).toBe(5);
      expect(prompt[0]!.length, encoder).toBe(TINY_DIMS.hiddenSize);
      expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model)), encoder).toBeGreaterThan(1e-4);
      applied.dispose();
    }
    model.dispose();
  });

  it('produces the virtual tokens jointly: through the LSTM, changing one embedding row moves every virtual token', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const lstm = pTuning.apply(model, resolveConfig(pTuning, model.arch, { tokens: 4, hidden: 6, encoder: 'lstm' }));
    const mlp = pTuning.apply(model, resolveConfig(pTuning, model.arch, { tokens: 4, hidden: 6, encoder: 'mlp' }));
    for (const [applied, everyRowMoves] of [[lstm, true], [mlp, false]] as const) {
      const [embedding] = applied.trainable;
      const before = tf.tidy(() => applied.hooks.inputPrefix!(bare())!.arraySync());
      // Perturb the first row of the embedding only.
      tf.tidy(() => embedding!.assign(tf.add(embedding!, tf.concat([tf.onesLike(tf.slice(embedding!, [0, 0], [1, -1])), tf.zerosLike(tf.slice(embedding!, [1, 0], [-1, -1]))], 0))));
      const after = tf.tidy(() => applied.hooks.inputPrefix!(bare())!.arraySync());
      const moved = before.map((row, i) => maxAbsDiff(Float32Array.from(row), Float32Array.from(after[i]!)) > 1e-6);
      // The bidirectional LSTM mixes every row into every output; the MLP acts row by row.
      expect(moved, everyRowMoves ? 'lstm' : 'mlp').toEqual(everyRowMoves ? [true, true, true, true] : [true, false, false, false]);
    }
    lstm.dispose();
    mlp.dispose();
    model.dispose();
  });

  it('passes the gradient through the prompt to the embedding and every encoder weight', () => {
    const model = ToyModel.init(TINY_DIMS, 13);
    const applied = pTuning.apply(model, resolveConfig(pTuning, model.arch, { tokens: 3, hidden: 4, encoder: 'lstm', lstmLayers: 2 }));
    // Embedding, 2 layers × 2 directions × 4 LSTM tensors, then the MLP's two Linear layers.
    expect(applied.trainable).toHaveLength(1 + 16 + 4);
    const batch = fixedBatch(3);
    const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
    const { grads, value } = tf.variableGrads(() => maskedCrossEntropy(model.forward(inputs, applied.hooks, { mode: 'train', step: 0 }), batch), applied.trainable);
    for (const v of applied.trainable) expect(tf.tidy(() => tf.norm(grads[v.name]!).dataSync()[0]!), v.name).toBeGreaterThan(0);
    tf.dispose([inputs, value, ...Object.values(grads)]);
    applied.dispose();
    model.dispose();
  });

  it('counts the toy by hand: the embedding and the encoder are trained, the l virtual tokens saved', () => {
    const arch = toyArchitecture();
    const d = arch.hiddenSize;
    const mlp: PConfig = resolveConfig(pTuning, arch, { tokens: 8, hidden: 32 });
    expect(pTuning.trainableParams(arch, mlp)).toBe(8 * d + (d * 32 + 32) + (32 * 32 + 32) + (32 * d + d));
    expect(pTuning.savedParams(arch, mlp)).toBe(8 * d);
    // One bidirectional LSTM layer: 2 × (4h·d + 4h·h + 8h), then Linear(2h, 2h) and Linear(2h, d).
    const h = 5;
    const lstm: PConfig = resolveConfig(pTuning, arch, { tokens: 8, hidden: h, encoder: 'lstm', lstmLayers: 1 });
    expect(pTuning.trainableParams(arch, lstm)).toBe(8 * d + 2 * (4 * h * d + 4 * h * h + 8 * h) + (4 * h * h + 2 * h) + (2 * h * d + d));
  });
});

describe('P-Tuning on real models (HF PEFT PromptEncoder)', () => {
  it('HF PEFT docs: bloomz-560m, 20 virtual tokens, MLP of width 128, trains 300,288', () => {
    // docs/source/package_reference/p_tuning.md (huggingface/peft at 5d602fd):
    // PromptEncoderConfig(task_type="CAUSAL_LM", num_virtual_tokens=20, encoder_hidden_size=128),
    // print_trainable_parameters → "trainable params: 300,288 || all params: 559,514,880".
    const arch = findModel('bigscience/bloomz-560m').arch;
    const config: PConfig = resolveConfig(pTuning, arch, { tokens: 20, hidden: 128 });
    expect(pTuning.trainableParams(arch, config)).toBe(300_288);
    // It saves the encoder's output, 20 vectors of 1024 (get_prompt_embedding_to_save).
    expect(pTuning.savedParams(arch, config)).toBe(20 * 1024);
  });

  it('HF PEFT task guide: roberta-large for classification trains 1,351,938 with the classifier head', () => {
    // HF PEFT documentation v0.6.0, task guide "P-tuning for sequence classification":
    // PromptEncoderConfig(task_type="SEQ_CLS", num_virtual_tokens=20, encoder_hidden_size=128) on
    // roberta-large, "trainable params: 1351938 || all params: 355662082". With SEQ_CLS the
    // RobertaClassificationHead (dense 1024×1024 and out_proj 1024×2, with biases) is trained too;
    // the calculator counts it with the classification task (cost/task.ts), not with the method.
    const arch = findModel('roberta-large').arch;
    const method = pTuning.trainableParams(arch, resolveConfig(pTuning, arch, { tokens: 20, hidden: 128 }));
    expect(method).toBe(300_288);
    expect(method + classificationHead(arch, 2).params).toBe(1_351_938);
  });

  it('doubles the virtual tokens, not the encoder, on an encoder–decoder model (num_transformer_submodules = 2)', () => {
    const t5 = findModel('t5-large').arch;
    const d = 1024;
    const encoder = d * 128 + 128 + 128 * 128 + 128 + 128 * d + d;
    const config: PConfig = resolveConfig(pTuning, t5, { tokens: 20, hidden: 128 });
    expect(pTuning.trainableParams(t5, config)).toBe(2 * 20 * d + encoder);
    expect(pTuning.savedParams(t5, config)).toBe(2 * 20 * d);
  });

  it('counts the LSTM encoder as torch.nn.LSTM holds it (two biases per gate block) on gpt2', () => {
    // Our derivation from torch.nn.LSTM's parameters (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k},
    // bias_hh_l{k}, and the _reverse copies) and HF PEFT's mlp_head after it.
    const arch = findModel('gpt2').arch;
    const d = 768;
    const h = 768;
    const layer = (input: number) => 2 * (4 * h * input + 4 * h * h + 8 * h);
    const head = 2 * h * 2 * h + 2 * h + 2 * h * d + d;
    const config: PConfig = resolveConfig(pTuning, arch, { tokens: 10, hidden: h, encoder: 'lstm', lstmLayers: 2 });
    expect(pTuning.trainableParams(arch, config)).toBe(10 * d + layer(d) + layer(2 * h) + head);
  });
});
