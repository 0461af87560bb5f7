import { describe, expect, it } from 'vitest';
import type { Architecture } from '../arch';
import { totalParams } from '../arch';
import { resolveConfig } from '../method-api/config';
import type { HyperValue, MethodConfig, PeftMethod } from '../method-api/types';
import { toyArchitecture } from '../model/toy-arch';
import { METHODS, findPeftMethod } from '../registry';
import { korthikantiLayerBytes, layerActivationBytes } from './activations';
import {
  OVERHEAD_FIXED_BYTES,
  OVERHEAD_FRACTION,
  type MemoryBreakdown,
  checkpointBytes,
  inferenceOverhead,
  trainingFlopsPerToken,
  trainingMemory,
  unmergedServing,
} from './memory';
import { DEFAULT_SETUP, OPTIMIZERS, PRECISIONS, RECIPES, type TrainingSetup, validateSetup } from './setup';
import { NF4_BITS_PER_WEIGHT, baseWeightBytes, linearWeightParams } from './precision';
import { groupsSize, matmulParams } from '../method-api/profile';
import { BERT_LARGE_CLS, GPT2_XL, GPT3_175B, LLAMA2_7B, LLAMA_65B, T0_3B } from '../testing/architectures';

const TOY = toyArchitecture();
const full = findPeftMethod('full-fine-tuning');
const lora = findPeftMethod('lora');
const adapters = findPeftMethod('adapters');
const prompt = findPeftMethod('prompt-tuning');
const bitfit = findPeftMethod('bitfit');

const cfg = (m: PeftMethod, arch: Architecture, input: Record<string, HyperValue> = {}): MethodConfig => resolveConfig(m, arch, input);
const setup = (over: Partial<TrainingSetup> = {}): TrainingSetup => ({ ...DEFAULT_SETUP, ...over });
const modelStates = (m: MemoryBreakdown) => m.weights + m.gradients + m.optimizerState + m.masterWeights;
/** Signed error of our estimate against a published figure, in percent, one decimal. */
const errorPct = (ours: number, published: number) => Math.round(((ours - published) / published) * 1000) / 10;
const MiB = 2 ** 20;

/** Configs that exercise each method's hyperparameters on an architecture. */
function configsFor(m: PeftMethod, arch: Architecture): MethodConfig[] {
  const inputs: Record<string, Record<string, HyperValue>[]> = {
    lora: [{}, { r: 2, targets: arch.stacks[0]?.linears.map((l) => l.path) ?? [] }],
    adapters: [{}, { bottleneck: 3, placement: 'mlp' }, { bottleneck: 5, placement: 'attention' }],
    'prompt-tuning': [{}, { tokens: 3 }],
  };
  return (inputs[m.id] ?? [{}]).map((i) => cfg(m, arch, i));
}

const ARCHS: Architecture[] = [TOY, LLAMA2_7B, T0_3B, BERT_LARGE_CLS];

describe('test architectures', () => {
  it('match the published parameter counts (Llama 2 7B: 6,738,415,616; bert-large classifier: 335,143,938; LLaMA-65B ≈ 65.2B; T0 3B ≈ 2.85B)', () => {
    expect(totalParams(LLAMA2_7B)).toBe(6_738_415_616);
    expect(totalParams(BERT_LARGE_CLS)).toBe(335_143_938);
    expect(totalParams(LLAMA_65B) / 1e9).toBeCloseTo(65.29, 2);
    expect(totalParams(T0_3B) / 1e9).toBeCloseTo(2.85, 2);
    expect(totalParams(GPT2_XL) / 1e9).toBeCloseTo(1.558, 3);
  });
});

describe('validateSetup', () => {
  it('accepts the default setup and every precision and optimizer', () => {
    for (const precision of PRECISIONS) for (const optimizer of OPTIMIZERS) expect(() => validateSetup(setup({ precision, optimizer }))).not.toThrow();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 65_537])('rejects batch size %s with a one-line message naming the field', (batchSize) => {
    expect(() => validateSetup(setup({ batchSize }))).toThrow(new RangeError('batch size must be a whole number from 1 to 65536'));
  });

  it.each([0, -8, 511.5, Number.NaN, 2_000_000])('rejects sequence length %s', (sequenceLength) => {
    expect(() => validateSetup(setup({ sequenceLength }))).toThrow(/^sequence length must be a whole number from 1 to 1048576$/);
  });

  it('rejects an unknown precision or optimizer, and trainingMemory validates too', () => {
    expect(() => validateSetup({ ...DEFAULT_SETUP, precision: 'fp8' as TrainingSetup['precision'] })).toThrow(/^precision must be one of fp32, bf16/);
    expect(() => validateSetup({ ...DEFAULT_SETUP, optimizer: 'lion' as TrainingSetup['optimizer'] })).toThrow(/^optimizer must be one of adamw/);
    expect(() => trainingMemory(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B), setup({ batchSize: 0 }))).toThrow(RangeError);
  });
});

describe('method profiles', () => {
  it('never count more trainable scalars than their tensors hold', () => {
    for (const arch of ARCHS) {
      for (const m of METHODS) {
        for (const c of configsFor(m, arch)) {
          const held = groupsSize(m.profile(arch, c).tensors);
          expect(m.trainableParams(arch, c)).toBeLessThanOrEqual(held);
        }
      }
    }
  });
});

describe('training memory: invariants', () => {
  it('gives finite, non-negative parts that add up, for every method, precision, optimizer and checkpointing choice', () => {
    for (const arch of [TOY, LLAMA2_7B, T0_3B]) {
      for (const m of METHODS) {
        const c = cfg(m, arch);
        for (const precision of PRECISIONS) {
          for (const optimizer of OPTIMIZERS) {
            for (const gradientCheckpointing of [false, true]) {
              const r = trainingMemory(arch, m, c, setup({ precision, optimizer, gradientCheckpointing }));
              for (const v of Object.values(r)) {
                expect(Number.isFinite(v)).toBe(true);
                expect(v).toBeGreaterThanOrEqual(0);
              }
              const rest = r.weights + r.gradients + r.optimizerState + r.masterWeights + r.activations;
              expect(r.overhead).toBeCloseTo(OVERHEAD_FIXED_BYTES + OVERHEAD_FRACTION * rest, 0);
              expect(r.total).toBeCloseTo(rest + r.overhead, 0);
            }
          }
        }
      }
    }
  });

  it('puts every PEFT method but Diff Pruning below full fine-tuning on the Llama-2-7B-like model, for every precision and optimizer', () => {
    // Diff Pruning trains a dense difference and a gate for every weight (two model-sized tensors
    // in the optimizer), so it needs more than full fine-tuning, as its paper's setting does.
    const diffPruning = findPeftMethod('diff-pruning');
    for (const precision of PRECISIONS) {
      for (const optimizer of OPTIMIZERS) {
        const s = setup({ precision, optimizer });
        const fullTotal = trainingMemory(LLAMA2_7B, full, {}, s).total;
        for (const m of METHODS.filter((x) => x.id !== full.id && x !== diffPruning)) expect(trainingMemory(LLAMA2_7B, m, cfg(m, LLAMA2_7B), s).total, m.id).toBeLessThan(fullTotal);
        if (optimizer === 'adamw') expect(trainingMemory(LLAMA2_7B, diffPruning, cfg(diffPruning, LLAMA2_7B), s).total).toBeGreaterThan(fullTotal);
      }
    }
  });

  it('on the 105k-parameter toy (batch 8, seq 512, eager attention) keeps LoRA and BitFit below full fine-tuning, while adapters and prompts cost more: their activations outweigh 1.5 MB of saved state', () => {
    const s = setup({ attention: 'eager' });
    const fullTotal = trainingMemory(TOY, full, {}, s).total;
    expect(trainingMemory(TOY, lora, cfg(lora, TOY), s).total).toBeLessThan(fullTotal);
    expect(trainingMemory(TOY, bitfit, {}, s).total).toBeLessThan(fullTotal);
    expect(trainingMemory(TOY, adapters, cfg(adapters, TOY), s).total).toBeGreaterThan(fullTotal);
    expect(trainingMemory(TOY, prompt, cfg(prompt, TOY), s).total).toBeGreaterThan(fullTotal);
  });

  it('lets activations dominate LoRA on Llama-2-7B at batch 8 × 512 in bf16: LoRA saves only about 70% of full fine-tuning memory', () => {
    const l = trainingMemory(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B), setup());
    const f = trainingMemory(LLAMA2_7B, full, {}, setup());
    expect(l.activations).toBeGreaterThan(l.weights);
    expect(l.activations / f.activations).toBeGreaterThan(0.99);
    expect(l.total / f.total).toBeGreaterThan(0.25);
  });

  it('reduces activations with gradient checkpointing, for every method that backpropagates through the backbone, on decoder-only and encoder–decoder models', () => {
    for (const arch of [TOY, LLAMA2_7B, T0_3B]) {
      for (const m of METHODS) {
        const c = cfg(m, arch);
        const off = trainingMemory(arch, m, c, setup());
        const on = trainingMemory(arch, m, c, setup({ gradientCheckpointing: true }));
        // Checkpointing recomputes backbone layers; a side network (LST) keeps none of theirs anyway.
        if (m.traits.backpropThroughBackbone) expect(on.activations).toBeLessThan(off.activations);
        else expect(on.activations).toBe(off.activations);
        expect(modelStates(on)).toBe(modelStates(off));
      }
    }
  });

  it('stores nf4 linear weights in 4.127 bits (≈ 1/4 of bf16 plus constants) and keeps embeddings and the head in 16-bit', () => {
    const linear = linearWeightParams(LLAMA2_7B);
    const other = totalParams(LLAMA2_7B) - linear;
    expect(NF4_BITS_PER_WEIGHT).toBeCloseTo(4.127, 3);
    expect(baseWeightBytes(LLAMA2_7B, 'nf4')).toBeCloseTo((linear * NF4_BITS_PER_WEIGHT) / 8 + 2 * other, 0);
    const ratio = baseWeightBytes(LLAMA2_7B, 'nf4') / baseWeightBytes(LLAMA2_7B, 'bf16');
    expect(ratio).toBeGreaterThan(0.25);
    expect(ratio).toBeLessThan(0.3);
    const loraNf4 = trainingMemory(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B), setup({ precision: 'nf4' }));
    const loraBf16 = trainingMemory(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B), setup({ precision: 'bf16' }));
    expect(loraBf16.weights - loraNf4.weights).toBeCloseTo(baseWeightBytes(LLAMA2_7B, 'bf16') - baseWeightBytes(LLAMA2_7B, 'nf4'), 0);
    // int8: one byte per weight plus one fp32 scale per output row.
    const rows = 32 * (4 * 4096 + 2 * 11008 + 4096);
    expect(baseWeightBytes(LLAMA2_7B, 'int8')).toBe(linear + 4 * rows + 2 * other);
  });

  it('changes only activations (and the overhead that is a share of them) when the batch grows, linearly', () => {
    for (const m of METHODS) {
      const c = cfg(m, LLAMA2_7B);
      const a = trainingMemory(LLAMA2_7B, m, c, setup({ batchSize: 4 }));
      const b = trainingMemory(LLAMA2_7B, m, c, setup({ batchSize: 8 }));
      expect([b.weights, b.gradients, b.optimizerState, b.masterWeights]).toEqual([a.weights, a.gradients, a.optimizerState, a.masterWeights]);
      expect(b.activations).toBeCloseTo(2 * a.activations, 0);
    }
  });

  it('counts prompt tokens as a longer sequence: prompt tuning with l tokens at length s stores what a frozen model stores at s + l', () => {
    const few = trainingMemory(LLAMA2_7B, prompt, cfg(prompt, LLAMA2_7B, { tokens: 8 }), setup());
    const many = trainingMemory(LLAMA2_7B, prompt, cfg(prompt, LLAMA2_7B, { tokens: 100 }), setup());
    expect(many.activations).toBeGreaterThan(few.activations);
    // Llama has no biases, so BitFit trains nothing and stores exactly the frozen model's activations.
    expect(many.activations).toBe(trainingMemory(LLAMA2_7B, bitfit, {}, setup({ sequenceLength: 612 })).activations);
  });

  it("keeps only the logits and the method's own activations when gradients do not pass through the backbone", () => {
    const sideTuned: PeftMethod = { ...lora, id: 'side-test', traits: { ...lora.traits, backpropThroughBackbone: false } };
    const r = trainingMemory(LLAMA2_7B, sideTuned, cfg(lora, LLAMA2_7B), setup());
    // batch 8 × (logits of 512 tokens at 2 + 4 + 4 bytes + 32 layers × 2 q,v maps × r = 8 values per token in bf16)
    expect(r.activations).toBe(8 * (512 * 32000 * 10 + 32 * 2 * 8 * 512 * 2));
  });

  it('counts full fine-tuning per recipe: mixed precision 16-bit weights and gradients + fp32 master (16 B with AdamW, ZeRO §3.1), pure bf16 8 B, fp32 16 B; int8/nf4 as 16-bit', () => {
    const n = totalParams(LLAMA2_7B);
    const amp = trainingMemory(LLAMA2_7B, full, {}, setup());
    expect([amp.weights, amp.masterWeights, amp.gradients, amp.optimizerState]).toEqual([2 * n, 4 * n, 2 * n, 8 * n]);
    // Rajbhandari et al. (2020) §3.1: mixed-precision Adam keeps 2 + 2 + 12 = 16 bytes per parameter.
    const zero = trainingMemory(LLAMA2_7B, full, {}, setup({ sharding: 'zero1' }));
    expect(modelStates(zero) / n).toBe(16);
    const pure = trainingMemory(LLAMA2_7B, full, {}, setup({ recipe: 'pure-bf16' }));
    expect([pure.weights, pure.masterWeights, pure.gradients, pure.optimizerState]).toEqual([2 * n, 0, 2 * n, 4 * n]);
    const fp32 = trainingMemory(LLAMA2_7B, full, {}, setup({ recipe: 'fp32', precision: 'fp32' }));
    expect([fp32.weights, fp32.masterWeights, fp32.gradients, fp32.optimizerState]).toEqual([4 * n, 0, 4 * n, 8 * n]);
    expect(modelStates(trainingMemory(LLAMA2_7B, full, {}, setup({ precision: 'nf4' })))).toBe(modelStates(amp));
  });

  it('prices optimizers per trainable tensor: Adafactor factors LoRA’s A (in × r) and B (r × out); 8-bit Adam keeps small tensors in 32-bit', () => {
    const c = cfg(lora, LLAMA2_7B);
    const adafactor = trainingMemory(LLAMA2_7B, lora, c, setup({ optimizer: 'adafactor' }));
    expect(adafactor.optimizerState).toBe(32 * 2 * 4 * ((4096 + 8) + (8 + 4096)));
    const sgd = trainingMemory(LLAMA2_7B, lora, c, setup({ optimizer: 'sgd' }));
    expect(sgd.optimizerState).toBe(0);
    const momentum = trainingMemory(LLAMA2_7B, lora, c, setup({ optimizer: 'sgd-momentum' }));
    expect(momentum.optimizerState).toBe(4 * lora.trainableParams(LLAMA2_7B, c));
    // BitFit on the toy: 64-element bias vectors stay in 32-bit state under 8-bit Adam.
    const toyBitfit = trainingMemory(TOY, bitfit, {}, setup({ optimizer: 'adamw-8bit' }));
    expect(toyBitfit.optimizerState).toBe(8 * bitfit.trainableParams(TOY, {}));
  });
});

describe('activations follow Korthikanti et al. (2022)', () => {
  const eager = (tokens: number, bytesPerValue: number) => ({ tokens, extraKeys: 0, crossKeys: 0, bytesPerValue, kernel: 'eager' as const });

  it('reproduce sbh(34 + 5as/h) exactly for a GPT-3 175B layer (s = 2048, b = 1, h = 12288, a = 96): 2.87 GB in 16-bit', () => {
    const stack = GPT3_175B.stacks[0];
    if (!stack) throw new Error('no stack');
    const ours = layerActivationBytes(GPT3_175B, stack, eager(2048, 2));
    expect(ours).toBe(korthikantiLayerBytes(2048, 1, 12288, 96));
    expect(ours / 1e9).toBeCloseTo(2.869, 3);
    // The attention-score term 5as/h = 80 is 70% of the layer for this shape.
    expect((5 * 96 * 2048) / 12288 / (34 + (5 * 96 * 2048) / 12288)).toBeCloseTo(0.7, 2);
  });

  it('double the 2-byte terms but not the 1-byte dropout masks in fp32: sbh(66 + 9as/h)', () => {
    const stack = GPT3_175B.stacks[0];
    if (!stack) throw new Error('no stack');
    const [s, h, a] = [2048, 12288, 96];
    expect(layerActivationBytes(GPT3_175B, stack, eager(s, 4))).toBe(s * h * 66 + 9 * a * s * s);
  });

  it('store only each layer’s input (2sbh) plus one full layer under gradient checkpointing', () => {
    const s = setup({ gradientCheckpointing: true, batchSize: 2, sequenceLength: 256 });
    const r = trainingMemory(LLAMA2_7B, bitfit, {}, s);
    const stack = LLAMA2_7B.stacks[0];
    if (!stack) throw new Error('no stack');
    const layer = layerActivationBytes(LLAMA2_7B, stack, { tokens: 256, extraKeys: 0, crossKeys: 0, bytesPerValue: 2, kernel: 'sdpa' });
    const expected = 2 * (32 * 2 * 256 * 4096 + layer + 10 * 256 * 32000);
    expect(r.activations).toBe(expected);
  });
});

describe('FLOPs, checkpoints and inference', () => {
  const n = matmulParams(LLAMA2_7B);

  it('counts 6N per token for full fine-tuning (Kaplan et al., 2020) and 4N + 6·N_added for LoRA and adapters', () => {
    expect(trainingFlopsPerToken(LLAMA2_7B, full, {})).toBe(6 * n);
    const c = cfg(lora, LLAMA2_7B);
    expect(trainingFlopsPerToken(LLAMA2_7B, lora, c)).toBe(4 * n + 6 * lora.trainableParams(LLAMA2_7B, c));
    expect(trainingFlopsPerToken(LLAMA2_7B, adapters, cfg(adapters, LLAMA2_7B))).toBe(4 * n + 6 * 32 * 2 * 2 * 4096 * 8);
    expect(trainingFlopsPerToken(LLAMA2_7B, prompt, cfg(prompt, LLAMA2_7B))).toBe(4 * n);
    expect(trainingFlopsPerToken(LLAMA2_7B, bitfit, {})).toBe(4 * n);
  });

  it('saves what the method keeps after training, 4 bytes per saved scalar', () => {
    for (const m of METHODS) {
      const c = cfg(m, LLAMA2_7B);
      expect(checkpointBytes(LLAMA2_7B, m, c)).toBe(4 * m.savedParams(LLAMA2_7B, c));
    }
    expect(checkpointBytes(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B))).toBe(4 * 4_194_304);
    // Prefix tuning (30 tokens, MLP 512) trains the MLP but keeps only its output: 2 · 32 layers · 30 · 4096.
    const prefix = findPeftMethod('prefix-tuning');
    expect(checkpointBytes(LLAMA2_7B, prefix, cfg(prefix, LLAMA2_7B))).toBe(4 * 2 * 32 * 30 * 4096);
  });

  it('costs nothing extra at inference for merged LoRA, 2 FLOPs per adapter matrix scalar, and l/512 more for l prompt tokens', () => {
    expect(inferenceOverhead(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B))).toEqual({ kind: 'mergeable', mergeable: true, extraFlopsPerToken: 0, extraFlopsShare: 0 });
    const ac = cfg(adapters, LLAMA2_7B);
    const a = inferenceOverhead(LLAMA2_7B, adapters, ac);
    // 32 layers × 2 adapters × (down 4096×8 + up 8×4096), 2 FLOPs each; biases are additions only.
    expect(a.extraFlopsPerToken).toBe(2 * 32 * 2 * 2 * 4096 * 8);
    expect(a.extraFlopsShare).toBeCloseTo(a.extraFlopsPerToken / (2 * n), 12);
    const p = inferenceOverhead(LLAMA2_7B, prompt, cfg(prompt, LLAMA2_7B, { tokens: 20 }));
    expect(p.kind).toBe('longer-input');
    expect(p.extraFlopsShare).toBeCloseTo(20 / 512, 12);
    expect(inferenceOverhead(LLAMA2_7B, full, {}).extraFlopsPerToken).toBe(0);
    expect(inferenceOverhead(LLAMA2_7B, bitfit, {}).kind).toBe('unchanged');
  });
});

describe('frozen tensors a method adds', () => {
  it('are held beside the trained ones in the adapter dtype, with no gradient or optimizer state', () => {
    const config = cfg(lora, LLAMA2_7B);
    const frozen = [{ shape: [256, 4096], count: 2 }];
    const withFrozen: PeftMethod = { ...lora, profile: (a, c) => ({ ...lora.profile(a, c), frozen }) };
    for (const recipe of ['mixed-bf16', 'pure-bf16'] as const) {
      const [plain, more] = [trainingMemory(LLAMA2_7B, lora, config, setup({ recipe })), trainingMemory(LLAMA2_7B, withFrozen, config, setup({ recipe }))];
      expect(more.weights - plain.weights).toBe((recipe === 'pure-bf16' ? 2 : 4) * 2 * 256 * 4096);
      expect([more.gradients, more.optimizerState, more.activations]).toEqual([plain.gradients, plain.optimizerState, plain.activations]);
    }
  });
});

describe('activations a method releases (releasedActivationValues)', () => {
  const config = cfg(lora, LLAMA2_7B);
  const releasing = (values: number): PeftMethod => ({ ...lora, profile: (a, c) => ({ ...lora.profile(a, c), releasedActivationValues: () => values }) });
  const layerBytes = (s: TrainingSetup) =>
    layerActivationBytes(LLAMA2_7B, LLAMA2_7B.stacks[0]!, { tokens: s.sequenceLength, extraKeys: 0, crossKeys: 0, bytesPerValue: 2, kernel: s.attention, fp32Softmax: true });

  it('come off every layer of the base count, at 2 bytes a value', () => {
    const s = setup();
    const [plain, some] = [trainingMemory(LLAMA2_7B, lora, config, s), trainingMemory(LLAMA2_7B, releasing(4096), config, s)];
    expect(plain.activations - some.activations).toBe(s.batchSize * 32 * 2 * s.sequenceLength * 4096);
  });

  it("never go below the method's own values: releasing more than a layer keeps leaves exactly those", () => {
    const s = setup();
    const [plain, all, more] = [trainingMemory(LLAMA2_7B, lora, config, s), trainingMemory(LLAMA2_7B, releasing(1e9), config, s), trainingMemory(LLAMA2_7B, releasing(2e9), config, s)];
    expect(more.activations).toBe(all.activations);
    expect(plain.activations - all.activations).toBe(s.batchSize * 32 * layerBytes(s));
  });

  it('leave a checkpointed layer its input, and shrink only the layer being recomputed', () => {
    const s = setup({ gradientCheckpointing: true });
    const [plain, some] = [trainingMemory(LLAMA2_7B, lora, config, s), trainingMemory(LLAMA2_7B, releasing(4096), config, s)];
    expect(plain.activations - some.activations).toBe(s.batchSize * 2 * s.sequenceLength * 4096);
  });
});

describe('serving unmerged', () => {
  it('holds the saved tensors and the frozen ones the checkpoint regenerates, each once', () => {
    const vera = findPeftMethod('vera');
    // VeRA on Llama 2 7B, q and v, r = 256: 32·2·(256 + 4096) trained values and one shared pair
    // A [256, 4096], B [4096, 256], stored or regenerated from its seed: in memory either way.
    const expected = 32 * 2 * (256 + 4096) + 2 * 256 * 4096;
    for (const saveProjection of ['false', 'true']) {
      expect(unmergedServing(LLAMA2_7B, vera, cfg(vera, LLAMA2_7B, { saveProjection })).params, saveProjection).toBe(expected);
    }
    expect(unmergedServing(LLAMA2_7B, lora, cfg(lora, LLAMA2_7B)).params).toBe(4_194_304);
  });
});

describe('serving a method that rewrote the base', () => {
  it('counts only its adapter beside the base, not the rewritten weights it saves', () => {
    const relora = findPeftMethod('relora');
    const config = cfg(relora, LLAMA2_7B, { r: 8 });
    expect(relora.savedParams(LLAMA2_7B, config)).toBeGreaterThan(1e9);
    expect(unmergedServing(LLAMA2_7B, relora, config).params).toBe(relora.trainableParams(LLAMA2_7B, config));
  });
});
