import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Architecture, totalParams } from '../arch';
import { resolveConfig } from '../method-api/config';
import { restrictArchitecture } from '../method-api/layer-subset';
import type { ForwardContext } from '../model/hooks';
import { findModel } from '../models';
import { toyArchitecture } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { anatomyMismatches, traceApplied } from '../testing/trace';
import { adapters } from './adapters';
import { bitfit } from './bitfit';
import { lora } from './lora';
import { mamAdapter } from './mam-adapter';
import { prefixTuning } from './prefix-tuning';
import { S4_ASSIGNMENT, s4, s4Groups, spindleGroups } from './s4';

methodContract(s4, {
  configs: [
    { 'adapter.bottleneck': 5, 'prefix.tokens': 3, 'prefix.projection': 'mlp', 'prefix.bottleneck': 7 },
    { 'adapter.bottleneck': 2, 'prefix.tokens': 6, 'lora.r': 3, 'lora.targets': ['q_proj', 'k_proj', 'v_proj', 'o_proj'] },
  ],
});

beforeAll(useTestBackend);

const T5_BASE = 't5-base';
const T5_3B = 't5-3b';
const ROBERTA = 'roberta-base';
const LLAMA = 'meta-llama/Llama-2-7b-hf';

/** The same architecture with `counts[i]` layers in stack i (a stack of 0 dropped): written out
 * by hand here, not through restrictArchitecture, to check compose's layer selection. */
function withLayers(arch: Architecture, counts: readonly number[]): Architecture {
  return { ...arch, stacks: arch.stacks.flatMap((s, i) => (counts[i] ? [{ ...s, layers: counts[i]!, finalNorm: null, extraParams: 0 }] : [])), extraParams: [], lmHeadBias: false };
}

describe('S4: the spindle grouping', () => {
  it('splits the layers n₁ < n₂ = n₃ > n₄, the outer groups a sixth each, on every even depth from 6 to 96', () => {
    for (let layers = 6; layers <= 96; layers += 2) {
      const [n1, n2, n3, n4] = spindleGroups(layers);
      expect(n1 + n2 + n3 + n4, `${layers}`).toBe(layers);
      expect(n1, `${layers}`).toBe(n4);
      expect(n2, `${layers}`).toBe(n3);
      expect(n1, `${layers}`).toBeLessThan(n2);
      expect(Math.abs(n1 - layers / 6), `${layers}`).toBeLessThanOrEqual(0.5);
    }
  });

  it('gives 2-4-4-2 on 12 layers, 4-8-8-4 on 24, 5-11-11-5 on 32 and 8-16-16-8 on 48; odd depths put the extra layer in group 2', () => {
    expect(spindleGroups(12)).toEqual([2, 4, 4, 2]);
    expect(spindleGroups(24)).toEqual([4, 8, 8, 4]);
    expect(spindleGroups(32)).toEqual([5, 11, 11, 5]);
    expect(spindleGroups(48)).toEqual([8, 16, 16, 8]);
    expect(spindleGroups(7)).toEqual([1, 3, 2, 1]);
    expect(spindleGroups(9)).toEqual([1, 4, 3, 1]);
  });

  it('on shallow models: 4 and 5 layers still give every group a layer; the toy’s 2 layers are groups 2 and 3 only', () => {
    expect(spindleGroups(4)).toEqual([1, 1, 1, 1]);
    expect(spindleGroups(5)).toEqual([1, 2, 1, 1]);
    expect(spindleGroups(3)).toEqual([0, 2, 1, 0]);
    expect(spindleGroups(2)).toEqual([0, 1, 1, 0]);
    expect(s4Groups(toyArchitecture())).toEqual([[], [0], [1], []]);
  });

  it('groups an encoder–decoder model’s layers as one sequence, encoder first: on T5-Base G1–G2 are the encoder, G3–G4 the decoder', () => {
    const groups = s4Groups(findModel(T5_BASE).arch);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(groups).toEqual([range(0, 3), range(4, 11), range(12, 19), range(20, 23)]);
    expect(s4Groups(findModel(T5_3B).arch).map((g) => g.length)).toEqual([8, 16, 16, 8]);
  });

  it('assigns the survey’s mix: G1 adapter + LoRA, G2 adapter + prefix, G3 adapter + prefix + BitFit, G4 prefix + BitFit + LoRA', () => {
    const mix = [0, 1, 2, 3].map((g) => Object.entries(S4_ASSIGNMENT).flatMap(([name, groups]) => ((groups as readonly number[]).includes(g) ? [name] : [])));
    expect(mix).toEqual([
      ['adapter', 'lora'],
      ['adapter', 'prefix'],
      ['adapter', 'prefix', 'bitfit'],
      ['prefix', 'bitfit', 'lora'],
    ]);
  });
});

describe('S4 on the toy: each layer gets exactly its group’s strategies', () => {
  // Six layers: the spindle is 1-2-2-1, so every group is present: G1 = {0}, G2 = {1, 2}, G3 = {3, 4}, G4 = {5}.
  const SIX = { ...TINY_DIMS, layers: 6 };
  const ctx: ForwardContext = { batch: 1, seq: 3, prefixLength: 0, positions: [0, 1, 2], mode: 'train', step: 0 };

  it('hooks adapters into layers 0–4, prefixes into 1–5, LoRA into 0 and 5, and trains the biases of layers 3–5 alone', () => {
    const model = ToyModel.init(SIX, 3);
    expect(s4Groups(model.arch)).toEqual([[0], [1, 2], [3, 4], [5]]);
    const applied = s4.apply(model, resolveConfig(s4, model.arch, { 'adapter.bottleneck': 4, 'prefix.tokens': 2, 'lora.r': 2 }));
    const d = SIX.hiddenSize;
    const acts = tf.tidy(() => {
      const x = tf.randomNormal([3, d]) as tf.Tensor2D;
      return Array.from({ length: 6 }, (_, layer) => ({
        adapter: ['attention', 'mlp'].map((s) => applied.hooks.sublayerOutput!(layer, s as 'attention' | 'mlp', x, x, ctx) !== x),
        prefix: applied.hooks.keyValuePrefix!(layer, ctx) !== null,
        lora: ['q_proj', 'v_proj', 'k_proj'].map((name) => applied.hooks.linear!({ layer, name, path: `self_attn.${name}`, role: name === 'q_proj' ? 'attn.q' : name === 'v_proj' ? 'attn.v' : 'attn.k' }, x, x, ctx) !== x),
      }));
    });
    expect(acts.map((a) => a.adapter)).toEqual([[true, true], [true, true], [true, true], [true, true], [true, true], [false, false]]);
    expect(acts.map((a) => a.prefix)).toEqual([false, true, true, true, true, true]);
    expect(acts.map((a) => a.lora)).toEqual([[true, true, false], [false, false, false], [false, false, false], [false, false, false], [false, false, false], [true, true, false]]);

    const trainable = new Set(applied.trainable);
    const trainedWeights = [...model.weights].filter(([, v]) => trainable.has(v)).map(([name]) => name);
    const biasesOf = (layer: number) => [...model.weights.keys()].filter((n) => n.startsWith(`h.${layer}.`) && n.endsWith('.bias'));
    expect(trainedWeights.sort()).toEqual([3, 4, 5].flatMap(biasesOf).sort());
    expect(biasesOf(3)).toHaveLength(8); // q, k, v, o, fc1, fc2 and both LayerNorms
    // With every group present, the declared anatomy (LoRA included) is what the hooks and the trained weights do.
    expect(anatomyMismatches(s4.anatomy(model.arch, resolveConfig(s4, model.arch)), traceApplied(model, applied))).toEqual([]);
    expect(s4.anatomy(model.arch, resolveConfig(s4, model.arch)).filter((a) => a.note.startsWith('rank-')).map((a) => a.part)).toEqual(['attn.q', 'attn.v']);
    applied.dispose();
    model.dispose();
  });

  it('trains on six layers exactly its parts’ counts on their layers: adapters on 5, prefixes on 5, biases of 3, LoRA on 2', () => {
    const arch = toyArchitecture(SIX);
    const config = resolveConfig(s4, arch, { 'adapter.bottleneck': 4, 'prefix.tokens': 2, 'lora.r': 2 });
    const h = SIX.hiddenSize; // 16
    const adapter = 5 * 2 * (2 * h * 4 + 4 + h); // 5 layers × 2 adapters × 148
    const prefix = 2 * 2 * 5 * h; // l × (key + value) × 5 layers × width
    const biases = 3 * (4 * h + SIX.ffnSize + h + 2 * h); // q, k, v, o; fc1; fc2; two LayerNorm shifts
    const loraCount = 2 * 2 * 2 * (h + h); // 2 layers × q, v × r (in + out)
    expect(s4.trainableParams(arch, config)).toBe(adapter + prefix + biases + loraCount);
    expect(adapter + prefix + biases + loraCount).toBe(1480 + 320 + 432 + 256);

    const model = ToyModel.init(SIX, 4);
    const applied = s4.apply(model, config);
    expect(applied.trainable.reduce((n, v) => n + v.size, 0)).toBe(2488);
    applied.dispose();
    model.dispose();
  });

  it('on the two-layer toy: adapters and prefixes in both layers, BitFit in layer 1, no LoRA at all', () => {
    const arch = toyArchitecture();
    const config = resolveConfig(s4, arch, s4.toyConfig);
    const h = 64;
    // Adapters 2 layers × 2 × (2·64·8 + 8 + 64); prefixes 4 × 2 × 2 × 64; layer 1's biases 4·64 + 256 + 64 + 2·64.
    expect(s4.trainableParams(arch, config)).toBe(2 * 2 * (2 * h * 8 + 8 + h) + 4 * 2 * 2 * h + (4 * h + 256 + h + 2 * h));
    expect(s4.trainableParams(arch, config)).toBe(6112);
    expect(s4.anatomy(arch, config).some((a) => a.note.startsWith('rank-'))).toBe(false);
  });

  it('moves its hooks onto the real layers: once trained, the outputs differ from the base model’s', () => {
    const model = ToyModel.init(SIX, 8);
    const base = logitsOf(model);
    const applied = s4.apply(model, resolveConfig(s4, model.arch, { 'adapter.bottleneck': 4, 'prefix.tokens': 2, 'lora.r': 2 }));
    const trainer = trainerFor(model, applied, { steps: 5, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeGreaterThan(1e-3);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('S4 on real models: the sum of its parts on their groups’ layers', () => {
  it('T5-Base (12 + 12 layers, d = 768): adapters on 20 layers, prefixes on 8 encoder + 12 decoder layers, LoRA on 4 + 4, no biases: 1,308,992', () => {
    const arch = findModel(T5_BASE).arch;
    const config = resolveConfig(s4, arch);
    const adapter = 20 * 2 * (2 * 768 * 8 + 8 + 768); // G1–G3: encoder 0–11, decoder 0–7; two adapters per layer
    const prefix = 10 * 2 * 768 * (8 + 12 + 12); // l = 10 keys and values, 768 wide: encoder self (8), decoder self (12), cross (12)
    const loraCount = 8 * 1536 * (4 * 2 + 4 * 4); // r = 8, in + out = 1536: q, v in 4 encoder layers; q, v self and cross in 4 decoder layers
    expect([adapter, prefix, loraCount]).toEqual([522_560, 491_520, 294_912]);
    expect(s4.trainableParams(arch, config)).toBe(adapter + prefix + loraCount);
    expect(s4.trainableParams(arch, config)).toBe(1_308_992);
    // The parts on hand-built architectures of their layers give the same sums.
    expect(adapters.trainableParams(withLayers(arch, [12, 8]), { bottleneck: 8, placement: 'both' })).toBe(adapter);
    expect(prefixTuning.trainableParams(withLayers(arch, [8, 12]), { tokens: 10, projection: 'none', bottleneck: 512 })).toBe(prefix);
    expect(lora.trainableParams(withLayers(arch, [4, 4]), resolveConfig(lora, arch))).toBe(loraCount);
    expect(bitfit.trainableParams(withLayers(arch, [0, 12]), {})).toBe(0);
    // 0.587% of T5-Base's 222,903,552; the survey (v1 §11.5) reports the search at 0.5%.
    expect(totalParams(arch)).toBe(222_903_552);
    expect((s4.trainableParams(arch, config) / totalParams(arch)) * 100).toBeCloseTo(0.587, 3);
  });

  it('T5-3B (24 + 24 layers, d = 1024, attention 32 × 128 = 4096 wide): 8-16-16-8, 8,602,240', () => {
    const arch = findModel(T5_3B).arch;
    const adapter = 40 * 2 * (2 * 1024 * 8 + 8 + 1024); // G1–G3: all 24 encoder layers, decoder 0–15
    const prefix = 10 * 2 * 4096 * (16 + 24 + 24); // encoder self 8–23, decoder self and cross 0–23
    const loraCount = 8 * (1024 + 4096) * (8 * 2 + 8 * 4); // G1 = encoder 0–7, G4 = decoder 16–23
    expect([adapter, prefix, loraCount]).toEqual([1_393_280, 5_242_880, 1_966_080]);
    expect(s4.trainableParams(arch, resolveConfig(s4, arch))).toBe(8_602_240);
    expect((8_602_240 / totalParams(arch)) * 100).toBeCloseTo(0.302, 3);
  });

  it('RoBERTa-Base (12 layers, 2-4-4-2): BitFit trains the 8,448 biases of each of layers 6–11: 563,872', () => {
    const arch = findModel(ROBERTA).arch;
    const adapter = 10 * 2 * (2 * 768 * 8 + 8 + 768);
    const prefix = 10 * 2 * 768 * 10;
    const biases = 6 * (4 * 768 + 3072 + 768 + 2 * 768); // q, k, v, attention output; intermediate; output; two LayerNorm shifts
    const loraCount = 4 * 2 * 8 * (768 + 768); // layers 0, 1, 10, 11; query and value
    expect([adapter, prefix, biases, loraCount]).toEqual([261_280, 153_600, 50_688, 98_304]);
    expect(s4.trainableParams(arch, resolveConfig(s4, arch))).toBe(563_872);
    // Whole-model BitFit has 102,144: every layer's 8,448 plus the embedding LayerNorm's 768, which S4's groups leave out.
    expect(bitfit.trainableParams(arch, {})).toBe(12 * 8448 + 768);
  });

  it('Llama 2 7B (32 layers, 5-11-11-5, no biases): 7,283,120', () => {
    const arch = findModel(LLAMA).arch;
    const adapter = 27 * 2 * (2 * 4096 * 8 + 8 + 4096);
    const prefix = 10 * 2 * 4096 * 27;
    const loraCount = 10 * 2 * 8 * (4096 + 4096);
    expect([adapter, prefix, loraCount]).toEqual([3_760_560, 2_211_840, 1_310_720]);
    expect(s4.trainableParams(arch, resolveConfig(s4, arch))).toBe(7_283_120);
  });

  it('with AdapterHub’s prefix MLP (width 512) the prefix part alone would train 26,419,200 on T5-Base, 11.9% of the model; only the prefixes are saved', () => {
    const arch = findModel(T5_BASE).arch;
    const config = resolveConfig(s4, arch, { 'prefix.projection': 'mlp' });
    const mlp = (layers: number) => 10 * 768 + (768 * 512 + 512) + (512 * 2 * layers * 768 + 2 * layers * 768);
    const prefix = mlp(8) + mlp(12) + mlp(12);
    expect(prefix).toBe(26_419_200);
    expect(s4.trainableParams(arch, config)).toBe(522_560 + prefix + 294_912);
    expect(s4.savedParams(arch, config)).toBe(1_308_992);
  });

  it('keeps each part’s own per-layer activations, averaged over the stacks its layers belong to', () => {
    const arch = findModel(T5_BASE).arch;
    const profile = s4.profile(arch, resolveConfig(s4, arch));
    const [encoder, decoder] = arch.stacks;
    // Adapter: 2 × (768 + 2 · 8) per layer; LoRA: r per targeted map (2 in the encoder, 4 in the decoder).
    expect(profile.extraActivationValues!(encoder!, 100)).toBeCloseTo(1568 + (4 / 12) * 16, 9);
    expect(profile.extraActivationValues!(decoder!, 100)).toBeCloseTo((8 / 12) * 1568 + (4 / 12) * 32, 9);
  });

  it('restricts a part to its layers: the restricted architecture holds nothing outside them', () => {
    const arch = findModel(ROBERTA).arch;
    const sub = restrictArchitecture(arch, [6, 7, 8, 9, 10, 11]);
    expect(sub.stacks.map((s) => s.layers)).toEqual([6]);
    expect(sub.extraParams).toEqual([]);
    expect(sub.moduleNames).toBeUndefined();
    expect(() => restrictArchitecture(arch, [12])).toThrow(/layer 12 is not one of RoBERTa-Base's layers 0–11/);
  });

  it('leaves MAM, a composite without layer selections, counting as before', () => {
    const arch = findModel('t5-large').arch;
    expect(mamAdapter.trainableParams(arch, resolveConfig(mamAdapter, arch))).toBe(171_069_840);
  });
});
