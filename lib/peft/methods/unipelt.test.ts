import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchingLinears, totalLayers, totalParams, type Architecture } from '../arch';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { toyArchitecture } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { adapters } from './adapters';
import { lora } from './lora';
import { prefixModules, prefixTuning } from './prefix-tuning';
import { type GateReading, applyUnipelt, unipelt, unipeltAdapterWidth } from './unipelt';

type Config = Parameters<typeof unipelt.trainableParams>[1];

methodContract(unipelt, {
  configs: [
    { r: 2, tokens: 3, prefixBottleneck: 5, reduction: 2 },
    { targets: ['q_proj'], tokens: 4, reduction: 8 },
  ],
});

beforeAll(useTestBackend);

/** The sum of UniPELT's parts, each counted by its own method, plus its gates written out: one
 * Linear(in → 1) per LoRA-wrapped map, one Linear(d → 1) per prefixed attention layer and per adapter. */
function partsPlusGates(arch: Architecture, config: Config): number {
  const d = arch.hiddenSize;
  const loraPart = lora.trainableParams(arch, resolveConfig(lora, arch, { r: config.r, targets: config.targets }));
  const prefixPart = prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch, { tokens: config.tokens, projection: 'mlp', bottleneck: config.prefixBottleneck }));
  const adapterPart = adapters.trainableParams(arch, resolveConfig(adapters, arch, { bottleneck: unipeltAdapterWidth(arch, config.reduction), placement: 'mlp' }));
  const loraGates = arch.stacks.reduce((n, s) => n + s.layers * matchingLinears(s, config.targets).reduce((k, l) => k + l.inFeatures + 1, 0), 0);
  const prefixGates = prefixModules(arch).reduce((n, m) => n + m.layers, 0) * (d + 1);
  const adapterGates = totalLayers(arch) * (d + 1);
  return loraPart + prefixPart + adapterPart + loraGates + prefixGates + adapterGates;
}

/** Logits of a fixed task batch, with the prompt lengths the trainer passes. */
function logitsWithPrompts(model: ToyModel, hooks: Parameters<ToyModel['forward']>[1], seed = 99): Float32Array {
  const batch = fixedBatch(seed, 8, model.dims.context);
  return tf.tidy(
    () => model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), hooks, { mode: 'eval', step: 0, promptLengths: [...batch.promptLengths] }).dataSync() as Float32Array,
  );
}

describe('UniPELT on the toy: the gates', () => {
  it('reads one gate per LoRA map, per prefixed layer and per adapter, each strictly between 0 and 1 and one per sequence', () => {
    const model = ToyModel.init(TINY_DIMS, 21);
    const readings: { part: GateReading['part']; layer: number; site?: string; values: number[] }[] = [];
    const toy = applyUnipelt(model, resolveConfig<Config>(unipelt, model.arch, { tokens: 4, prefixBottleneck: 8, reduction: 4 }), {
      observe: ({ gate, ...where }) => readings.push({ ...where, values: [...gate.dataSync()] }),
    });
    logitsWithPrompts(model, toy.applied.hooks);
    const key = (r: (typeof readings)[number]) => `${r.part}.${r.layer}.${r.site ?? ''}`;
    expect(readings.map(key).sort()).toEqual(['adapter.0.', 'adapter.1.', 'lora.0.q_proj', 'lora.0.v_proj', 'lora.1.q_proj', 'lora.1.v_proj', 'prefix.0.', 'prefix.1.']);
    for (const r of readings) {
      expect(r.values, key(r)).toHaveLength(8);
      for (const v of r.values) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThan(1);
      }
      // Weights N(0, 0.02²) and a zero bias: every gate starts near one half.
      for (const v of r.values) expect(Math.abs(v - 0.5)).toBeLessThan(0.05);
    }
    toy.applied.dispose();
    model.dispose();
  });

  it('averages over the prompt only: changing an answer token leaves every gate as it was, changing a prompt token moves them', () => {
    const model = ToyModel.init(TINY_DIMS, 22);
    const batch = fixedBatch(5, 2, model.dims.context);
    const gatesFor = (inputs: Int32Array): number[] => {
      const values: number[] = [];
      const toy = applyUnipelt(model, resolveConfig<Config>(unipelt, model.arch, { tokens: 4, prefixBottleneck: 8 }), { seed: 4, observe: ({ gate }) => values.push(...gate.dataSync()) });
      tf.tidy(() => model.forward(tf.tensor2d(inputs, [batch.size, batch.length], 'int32'), toy.applied.hooks, { mode: 'eval', step: 0, promptLengths: [...batch.promptLengths] }));
      toy.applied.dispose();
      return values;
    };
    const base = gatesFor(batch.inputs);
    const p = batch.promptLengths[0]!;
    const answerEdit = batch.inputs.slice();
    answerEdit[p + 1] = (answerEdit[p + 1]! + 3) % model.dims.vocabSize; // a token after the prompt
    const promptEdit = batch.inputs.slice();
    promptEdit[1] = (promptEdit[1]! + 3) % model.dims.vocabSize;
    expect(maxAbsDiff(Float32Array.from(gatesFor(answerEdit)), Float32Array.from(base))).toBe(0);
    expect(maxAbsDiff(Float32Array.from(gatesFor(promptEdit)), Float32Array.from(base))).toBeGreaterThan(1e-6);
    model.dispose();
  });

  it('trains every gate: each gate’s weights and bias move, and the gate values move with them', () => {
    const model = ToyModel.init(TINY_DIMS, 23);
    let readings: number[] = [];
    const toy = applyUnipelt(model, resolveConfig<Config>(unipelt, model.arch, { tokens: 4, prefixBottleneck: 8, reduction: 4 }), { seed: 2, observe: ({ gate }) => readings.push(...gate.dataSync()) });
    const gates = [...[...toy.lora.values()].map((l) => l.gate), ...toy.prefixGates, ...toy.adapters.map((a) => a.gate)];
    expect(gates).toHaveLength(8);
    const trainable = new Set(toy.applied.trainable);
    for (const g of gates) expect(trainable.has(g.w) && trainable.has(g.b)).toBe(true);
    const start = gates.map((g) => [g.w.dataSync().slice(), g.b.dataSync().slice()] as const);
    logitsWithPrompts(model, toy.applied.hooks);
    const before = readings;
    const trainer = trainerFor(model, toy.applied, { steps: 20, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 20; i++) trainer.step(fixedBatch(i));
    gates.forEach((g, i) => {
      expect(maxAbsDiff(g.w.dataSync() as Float32Array, start[i]![0] as Float32Array), `gate ${i} weights`).toBeGreaterThan(0);
      expect(maxAbsDiff(g.b.dataSync() as Float32Array, start[i]![1] as Float32Array), `gate ${i} bias`).toBeGreaterThan(0);
    });
    readings = [];
    logitsWithPrompts(model, toy.applied.hooks);
    expect(maxAbsDiff(Float32Array.from(readings), Float32Array.from(before))).toBeGreaterThan(1e-3);
    trainer.dispose();
    toy.applied.dispose();
    model.dispose();
  });

  it('each gated part changes the trained output, and closing its gate removes exactly that part’s contribution', () => {
    const model = ToyModel.init(TINY_DIMS, 24);
    const toy = applyUnipelt(model, resolveConfig<Config>(unipelt, model.arch, { tokens: 4, prefixBottleneck: 8, reduction: 4 }), { seed: 3 });
    const trainer = trainerFor(model, toy.applied, { steps: 20, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 20; i++) trainer.step(fixedBatch(i));
    const hooks = toy.applied.hooks;
    const all = logitsWithPrompts(model, hooks);
    expect(maxAbsDiff(all, logitsOf(model)), 'against the base model').toBeGreaterThan(1e-3);

    /** Logits with some variables set to `value` (a closed gate's bias, or a part's zeroed weights), then restored. */
    const withValues = (vars: readonly tf.Variable[], value: number): Float32Array => {
      const saved = vars.map((v) => v.clone());
      vars.forEach((v) => tf.tidy(() => v.assign(tf.fill(v.shape, value))));
      const out = logitsWithPrompts(model, hooks);
      vars.forEach((v, i) => v.assign(saved[i]!));
      tf.dispose(saved);
      return out;
    };
    // A bias of −60 puts every gate below 1e-25: the gate is closed.
    const closed = (gates: readonly { b: tf.Variable }[]) => withValues(gates.map((g) => g.b), -60);
    const [, , , w2, b2] = toy.prefix; // prefix tuning's E, W1, b1, W2, b2
    const lora = [...toy.lora.values()];
    expect(lora).toHaveLength(4);
    const parts = [
      { name: 'LoRA', gates: lora.map((l) => l.gate), zeroed: lora.map((l) => l.b) },
      // A closed prefix gate scales the prefix keys and values to zero: as if the MLP produced zeros.
      { name: 'prefix', gates: toy.prefixGates, zeroed: [w2!, b2!] },
      { name: 'adapter', gates: toy.adapters.map((a) => a.gate), zeroed: toy.adapters.flatMap((a) => [a.up, a.upBias]) },
    ];
    for (const part of parts) {
      const gateClosed = closed(part.gates);
      expect(maxAbsDiff(gateClosed, all), `${part.name} changes the output`).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(gateClosed, withValues(part.zeroed, 0)), `${part.name}: the gate multiplies exactly its contribution`).toBeLessThan(1e-5);
    }
    trainer.dispose();
    toy.applied.dispose();
    model.dispose();
  });
});

describe('UniPELT counts', () => {
  it('on the toy: LoRA 4,096 + 260, prefixes 5,904 + 130, adapters 4,256 + 130 = 14,776', () => {
    const arch = toyArchitecture();
    const config = resolveConfig<Config>(unipelt, arch, unipelt.toyConfig);
    // d = 64, 2 layers; LoRA r = 8 on q_proj and v_proj; prefix l = 8 through an MLP of width 16;
    // adapter width 64 / 4 = 16.
    const loraPart = 2 * 2 * 8 * (64 + 64);
    const prefixPart = 8 * 64 + (64 * 16 + 16) + (16 * 2 * 2 * 64 + 2 * 2 * 64);
    const adapterPart = 2 * (64 * 16 + 16 + 16 * 64 + 64);
    expect([loraPart, prefixPart, adapterPart]).toEqual([4096, 5904, 4256]);
    expect(unipelt.trainableParams(arch, config)).toBe(loraPart + 4 * 65 + prefixPart + 2 * 65 + adapterPart + 2 * 65);
    expect(unipelt.trainableParams(arch, config)).toBe(14_776);
    // Saved: the 8 prefixes of 256 values (2 layers × keys and values) instead of the MLP.
    expect(unipelt.savedParams(arch, config)).toBe(14_776 - prefixPart + 8 * 256);
  });

  it('is the sum of its parts, each counted by its own method, plus its gates, on every architecture', () => {
    for (const id of ['t5-large', 't5-3b', 'bert-base-uncased', 'gpt2', 'meta-llama/Llama-2-7b-hf', 'mistralai/Mistral-7B-v0.1', 'microsoft/Phi-3-mini-4k-instruct']) {
      const arch = findModel(id).arch;
      for (const input of [{}, { r: 4, tokens: 30, prefixBottleneck: 64, reduction: 8 }]) {
        const config = resolveConfig<Config>(unipelt, arch, input);
        expect(unipelt.trainableParams(arch, config), `${id} ${JSON.stringify(input)}`).toBe(partsPlusGates(arch, config));
      }
    }
  });

  // Survey code (xw-yao/peft_comparison, notebook 18 mapping):
  // lora[r=8,use_gating]|prefix_tuning[prefix_length=10,use_gating,kv_size]|seq_bn[reduction_factor=16,use_gating].
  it.each(surveyCounts('unipelt'))("reproduces the survey authors' measured count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(unipelt.trainableParams(arch, resolveConfig<Config>(unipelt, arch))).toBe(count);
  });

  it('T5-Large: LoRA on 144 maps, three prefix modules, 48 adapters, and 264 gates', () => {
    const arch = findModel('t5-large').arch;
    const loraPart = 72 * 2 * 8 * (1024 + 1024); // q and v of 24 encoder self-, 24 decoder self- and 24 cross-attentions
    const prefixModule = 10 * 1024 + (1024 * 512 + 512) + (512 * 2 * 24 * 1024 + 2 * 24 * 1024);
    const adapter = 2 * 1024 * 64 + 64 + 1024; // width 1024 / 16 = 64
    expect([loraPart, prefixModule, adapter]).toEqual([2_359_296, 25_750_016, 132_160]);
    const gates = 144 * 1025 + 72 * 1025 + 48 * 1025;
    expect(unipelt.trainableParams(arch, resolveConfig<Config>(unipelt, arch))).toBe(loraPart + 3 * prefixModule + 48 * adapter + gates);
    expect(loraPart + 3 * prefixModule + 48 * adapter + gates).toBe(86_223_624);
  });

  it('BERT-base, the reference code’s model: 11,083,376 trained, 1,410,672 kept, 1.29% of the model', () => {
    // morningmoni/UniPELT @53d3c35: LoRA_Linear on query and value (r = 8) each with
    // lora_gate = Linear(768, 1); prefix_enc_embed (10 × 768) and prefix_embed_MLP
    // Linear(768, 512) → Tanh → Linear(512, 12·2·768); prefix_gate = Linear(768, 1) per layer;
    // a Pfeiffer adapter of width 768 // 16 = 48 with gate Linear(768, 1) per layer.
    const arch = findModel('bert-base-uncased').arch;
    const config = resolveConfig<Config>(unipelt, arch);
    expect(config.targets).toEqual(['query', 'value']);
    const loraPart = 24 * (8 * 768 + 768 * 8) + 24 * 769;
    const prefixMlp = 10 * 768 + (768 * 512 + 512) + (512 * 18432 + 18432);
    const prefixes = 10 * 18432;
    const adapterPart = 12 * (768 * 48 + 48 + 48 * 768 + 768) + 12 * 769;
    expect(unipelt.trainableParams(arch, config)).toBe(loraPart + prefixMlp + 12 * 769 + adapterPart);
    expect(unipelt.trainableParams(arch, config)).toBe(11_083_376);
    expect(unipelt.savedParams(arch, config)).toBe(loraPart + prefixes + 12 * 769 + adapterPart);
    expect(unipelt.savedParams(arch, config)).toBe(1_410_672);
    // Survey v1 §11.3 gives 1.3% of BERT for UniPELT: the kept count, not the trained one (10.1%).
    expect(unipelt.savedParams(arch, config) / totalParams(arch)).toBeCloseTo(0.0129, 4);
  });

  it('widens every attention layer by l keys and cannot be merged', () => {
    const arch = findModel('t5-large').arch;
    const config = resolveConfig<Config>(unipelt, arch);
    expect(unipelt.traits.inference).toBe('longer-input');
    expect(unipelt.traits.addedKeyValues?.(config)).toBe(10);
    expect(unipelt.hyperparams.map((h) => h.key)).toEqual(['r', 'targets', 'tokens', 'prefixBottleneck', 'reduction']);
  });
});
