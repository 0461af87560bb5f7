import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferenceOverhead } from '../cost/memory';
import { peftSnippetParts } from '../export';
import { checkApplies, resolveConfig } from '../method-api/config';
import type { ForwardContext } from '../model/hooks';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { maskedCrossEntropy } from '../train/loss';
import { llamaAdapter } from './llama-adapter';

type Config = Parameters<typeof llamaAdapter.trainableParams>[1];

methodContract(llamaAdapter, { configs: [{ adapterLen: 3, adapterLayers: 1 }, { adapterLen: 5, adapterLayers: 4 }] });

beforeAll(useTestBackend);

const configOn = (model: ToyModel, input: Record<string, number>): Config => resolveConfig(llamaAdapter, model.arch, input);

function gradNorms(model: ToyModel, applied: ReturnType<typeof llamaAdapter.apply>): number[] {
  const batch = fixedBatch(3);
  const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
  const { grads, value } = tf.variableGrads(() => maskedCrossEntropy(model.forward(inputs, applied.hooks, { mode: 'train', step: 0 }), batch), applied.trainable);
  const norms = applied.trainable.map((v) => tf.tidy(() => tf.norm(grads[v.name]!).dataSync()[0]!));
  tf.dispose([inputs, value, ...Object.values(grads)]);
  return norms;
}

describe('LLaMA-Adapter on the toy', () => {
  it('leaves the base model’s logits bit-identical at initialisation, the gates being zero', () => {
    const model = ToyModel.init(TINY_DIMS, 21);
    const applied = llamaAdapter.apply(model, configOn(model, { adapterLen: 6, adapterLayers: 2 }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('gives the zero gates a gradient at initialisation and the prompts none until a gate opens', () => {
    const model = ToyModel.init(TINY_DIMS, 22);
    const applied = llamaAdapter.apply(model, configOn(model, { adapterLen: 4, adapterLayers: 2 }));
    // trainable = [prompt₀, prompt₁, gate₀, gate₁]
    const [p0, p1, g0, g1] = gradNorms(model, applied);
    expect(g0).toBeGreaterThan(0);
    expect(g1).toBeGreaterThan(0);
    expect([p0, p1]).toEqual([0, 0]);
    for (const gate of applied.trainable.slice(2)) gate.assign(tf.fill([1], 0.5));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBeGreaterThan(1e-4);
    expect(gradNorms(model, applied).every((n) => n > 0)).toBe(true);
    applied.dispose();
    model.dispose();
  });

  it('adapts only the topmost L layers: one prompt and one gate each', () => {
    const model = ToyModel.init(TINY_DIMS, 23);
    const applied = llamaAdapter.apply(model, configOn(model, { adapterLen: 3, adapterLayers: 1 }));
    expect(applied.trainable.map((v) => v.shape)).toEqual([[3, 16], [1]]);
    const ctx: ForwardContext = { batch: 1, seq: 2, prefixLength: 0, positions: [0, 1], mode: 'eval', step: 0 };
    const q = tf.ones([1, 2, 2, 8]) as tf.Tensor4D;
    expect(applied.hooks.attentionContext!(0, q, ctx)).toBeNull();
    const top = applied.hooks.attentionContext!(1, q, ctx);
    expect(top?.shape).toEqual([1, 2, 2, 8]);
    tf.dispose([q, top!]);
    applied.dispose();
    model.dispose();
  });

  it('attends to the prompts in a softmax of their own, projected by the layer’s frozen k_proj and v_proj, scaled by the gate', () => {
    const model = ToyModel.init(TINY_DIMS, 24);
    const k = 3;
    const applied = llamaAdapter.apply(model, configOn(model, { adapterLen: k, adapterLayers: 1 }), { seed: 7 });
    const [promptVar, gateVar] = applied.trainable as [tf.Variable, tf.Variable];
    gateVar.assign(tf.tensor1d([0.75]));
    const [heads, dh, seq, h] = [2, 8, 2, 16];
    const queries = tf.tensor4d(Array.from({ length: heads * seq * dh }, (_, i) => Math.sin(i)), [1, heads, seq, dh]);
    const ctx: ForwardContext = { batch: 1, seq, prefixLength: 0, positions: [0, 1], mode: 'eval', step: 0 };
    const got = tf.tidy(() => applied.hooks.attentionContext!(1, queries, ctx)!.arraySync()) as number[][][][];

    // The same in plain numbers: keys and values P·W + b, one softmax over the K prompts per query.
    const prompt = promptVar.arraySync() as number[][];
    const project = (name: string) => {
      const w = model.weight(`h.1.${name}.weight`).arraySync() as number[][];
      const b = model.weight(`h.1.${name}.bias`).arraySync() as number[];
      return prompt.map((row) => b.map((bj, j) => row.reduce((s, x, i) => s + x * w[i]![j]!, bj)));
    };
    const keys = project('k_proj');
    const values = project('v_proj');
    const q = queries.arraySync()[0]!;
    for (let head = 0; head < heads; head++) {
      for (let t = 0; t < seq; t++) {
        const scores = keys.map((key) => q[head]![t]!.reduce((s, x, d) => s + x * key[head * dh + d]!, 0) / Math.sqrt(dh));
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < dh; d++) {
          const expected = 0.75 * e.reduce((s, ei, j) => s + (ei / z) * values[j]![head * dh + d]!, 0);
          expect(got[0]![head]![t]![d]).toBeCloseTo(expected, 4);
        }
      }
    }
    expect(h).toBe(model.dims.hiddenSize);
    queries.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('LLaMA-Adapter on real models', () => {
  const count = (id: string, input: Record<string, number> = {}) => {
    const arch = findModel(id).arch;
    return llamaAdapter.trainableParams(arch, resolveConfig(llamaAdapter, arch, input));
  };

  it('HF PEFT: Llama 3.2 3B, adapter_len 100 and adapter_layers 28, trains 8,601,628 parameters', () => {
    // huggingface/peft method_comparison/MetaMathQA/results/adaptionprompt--llama-3.2-3B-lr_0.0005.json
    // (commit 51c2ff666b142d004c12609c9686cf17ca055751): "num_trainable_params": 8601628, and
    // "num_total_params": 3221351452, the base's 3,212,749,824 plus these. 28 · (100 · 3072 + 1).
    expect(count('meta-llama/Llama-3.2-3B', { adapterLen: 100, adapterLayers: 28 })).toBe(8_601_628);
    expect(findModel('meta-llama/Llama-3.2-3B').arch.stacks[0]!.layers).toBe(28);
  });

  it('the paper’s setting on a LLaMA-7B-sized model (K = 10, L = 30) trains the abstract’s 1.2M: 1,228,830 as HF PEFT counts', () => {
    // Zhang et al. 2023, abstract: "only introduces 1.2M learnable parameters upon the frozen LLaMA
    // 7B model"; the authors' script (OpenGVLab/LLaMA-Adapter alpaca_finetuning_v1/finetuning.sh,
    // commit cf3ff351) runs --adapter_layer 30 --adapter_len 10. Llama 2 7B has LLaMA 7B's 32
    // layers of width 4096.
    const n = count('meta-llama/Llama-2-7b-hf');
    expect(n).toBe(30 * (10 * 4096 + 1));
    expect(n).toBe(1_228_830);
    expect(Math.round(n / 1e5) / 10).toBe(1.2);
  });

  it('sizes the prompts by the hidden width, also under grouped-query attention (Mistral 7B: keys 1024 wide)', () => {
    const mistral = findModel('mistralai/Mistral-7B-v0.1').arch;
    expect(mistral.stacks[0]!.attention.kvHeads * mistral.stacks[0]!.attention.headDim).toBe(1024);
    expect(count('mistralai/Mistral-7B-v0.1')).toBe(1_228_830);
  });

  it('adapts every layer of a model shallower than L, and the export says so (GPT-2: 12 layers)', () => {
    const gpt2 = findModel('gpt2');
    const config: Config = resolveConfig(llamaAdapter, gpt2.arch);
    expect(llamaAdapter.trainableParams(gpt2.arch, config)).toBe(12 * (10 * 768 + 1));
    const parts = peftSnippetParts(gpt2, llamaAdapter, config)!;
    expect(parts.args).toMatchObject({ adapter_len: 10, adapter_layers: 12 });
    expect(parts.note).toMatch(/c_proj/);
    expect(parts.note).toMatch(/refuses adapter_layers=30/);
  });

  it('applies to one-stack models (encoder-only as in the paper’s RoBERTa runs) but not to an encoder–decoder', () => {
    const bert = findModel('bert-base-uncased').arch;
    expect(llamaAdapter.notApplicable!(bert, resolveConfig(llamaAdapter, bert))).toBeNull();
    expect(count('bert-base-uncased')).toBe(12 * (10 * 768 + 1));
    const t5 = findModel('t5-large').arch;
    const c = resolveConfig(llamaAdapter, t5);
    expect(() => checkApplies(llamaAdapter, t5, c)).toThrow(/encoder–decoder model such as T5/);
    // A family HF PEFT lacks still gets a count here, and the export warns.
    const qwen = findModel('Qwen/Qwen2.5-0.5B');
    expect(peftSnippetParts(qwen, llamaAdapter, resolveConfig(llamaAdapter, qwen.arch))!.note).toMatch(/supports only Llama, Mistral and GPT-2/);
  });

  it('reads K more keys in attention and adds no matrix product per token', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    const config: Config = resolveConfig(llamaAdapter, arch);
    expect(llamaAdapter.traits.addedKeyValues?.(config)).toBe(10);
    expect(llamaAdapter.profile(arch, config).addedMatmul).toBe(0);
    // 4 FLOPs per extra key, query width and layer (the cost model counts all 32 layers).
    expect(inferenceOverhead(arch, llamaAdapter, config).extraFlopsPerToken).toBe(4 * 10 * 4096 * 32);
  });
});
