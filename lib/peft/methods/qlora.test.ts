import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { trainingMemory } from '../cost/memory';
import { DEFAULT_SETUP } from '../cost/setup';
import { NF4_BITS_PER_WEIGHT, baseWeightBytes, linearWeightParams } from '../cost/precision';
import { resolveConfig, toyConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { lora } from './lora';
import { LLAMA_65B } from '../testing/architectures';
import { fixedBatch, loadShippedModel, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { createRng, normals } from '../model/random';
import {
  CONSTANT_BLOCK_SIZE,
  DYNAMIC_CODE,
  NF4_BLOCK_SIZE,
  NF4_CODE,
  dequantizeBlockwise,
  dequantizeConstants,
  dequantizeNF4,
  nf4StorageBits,
  quantizeBlockwise,
  quantizeConstants,
  quantizeNF4,
  qlora,
} from './qlora';

methodContract(qlora, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'fc2'] },
    { r: 3, targets: ['mlp.fc1'] },
    { r: 2, targets: ['q_proj', 'fc2'], rankPattern: 'fc2=4', alphaPattern: 'q_proj=8', bias: 'lora_only' },
  ],
});

beforeAll(useTestBackend);

/** The largest error of rounding any x in [−1, 1] to the nearest value of a code: half the widest
 * gap between neighbours, or the distance from ±1 to the code's ends. */
function roundingBound(code: readonly number[]): number {
  let bound = Math.max(code[0]! + 1, 1 - code[code.length - 1]!);
  for (let i = 1; i < code.length; i++) bound = Math.max(bound, (code[i]! - code[i - 1]!) / 2);
  return bound;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Normal weights with a few outliers, a length that leaves a partial last block. */
function testWeights(n: number, seed: number): Float32Array {
  const w = normals(createRng(seed), n, 0.02);
  for (let i = 0; i < n; i += 997) w[i] = w[i]! * 20;
  return w;
}

describe('NF4 and double quantization', () => {
  it('NF4 has 16 increasing values from −1 to 1 with an exact 0: 7 negative and 8 positive normal quantiles, as QLoRA and bitsandbytes build them', () => {
    expect(NF4_CODE).toHaveLength(16);
    for (let i = 1; i < 16; i++) expect(NF4_CODE[i]!).toBeGreaterThan(NF4_CODE[i - 1]!);
    expect([NF4_CODE[0], NF4_CODE[7], NF4_CODE[15]]).toEqual([-1, 0, 1]);
    expect(NF4_CODE.filter((v) => v < 0)).toHaveLength(7);
    expect(NF4_CODE.filter((v) => v > 0)).toHaveLength(8);
    // bitsandbytes `create_normal_map(offset=0.9677083)`: Φ⁻¹ of 8 (positive) and 7 (negative)
    // equal steps from the offset down to ½, divided by Φ⁻¹(offset) so the ends are ±1. The two
    // halves are not mirror images: only the end values are symmetric.
    const offset = 0.9677083;
    const top = normalQuantile(offset);
    const positive = Array.from({ length: 8 }, (_, i) => normalQuantile(offset - ((offset - 0.5) * i) / 8) / top).reverse();
    const negative = Array.from({ length: 7 }, (_, i) => -normalQuantile(offset - ((offset - 0.5) * i) / 7) / top);
    const expected = [...negative, 0, ...positive];
    for (let i = 0; i < 16; i++) expect(Math.abs(NF4_CODE[i]! - expected[i]!), `value ${i}`).toBeLessThan(1e-6);
    expect(NF4_CODE[8]).not.toBeCloseTo(-NF4_CODE[6]!, 3);
  });

  it("bitsandbytes' 8-bit dynamic map: 256 increasing values in [−1, 1] with 0 and 1, down to 10⁻⁶", () => {
    expect(DYNAMIC_CODE).toHaveLength(256);
    for (let i = 1; i < 256; i++) expect(DYNAMIC_CODE[i]!).toBeGreaterThan(DYNAMIC_CODE[i - 1]!);
    expect(DYNAMIC_CODE).toContain(0);
    expect(DYNAMIC_CODE[255]).toBe(1);
    expect(DYNAMIC_CODE[0]).toBeCloseTo(-(0.1 + 0.9 * (63.5 / 64)), 6);
    expect(Math.min(...DYNAMIC_CODE.filter((v) => v > 0))).toBeCloseTo(0.55e-6, 12);
  });

  it('NF4 round trip: every value within absmax × (largest half-gap between NF4 neighbours) of its block', () => {
    const halfGap = roundingBound(NF4_CODE);
    expect(halfGap).toBeCloseTo((1 - 0.6961928) / 2, 6); // the gap between −1 and the next value
    const w = testWeights(NF4_BLOCK_SIZE * 37 + 13, 5);
    const q = quantizeBlockwise(w, NF4_CODE, NF4_BLOCK_SIZE);
    expect(q.absmax).toHaveLength(38);
    const back = dequantizeBlockwise(q, NF4_CODE);
    let worstShare = 0;
    for (let i = 0; i < w.length; i++) {
      const c = q.absmax[Math.floor(i / NF4_BLOCK_SIZE)]!;
      const err = Math.abs(w[i]! - back[i]!);
      expect(err).toBeLessThanOrEqual(c * halfGap * (1 + 1e-6));
      worstShare = Math.max(worstShare, err / (c * halfGap));
      // The block's absmax value itself is exact (±1 are codes).
      if (Math.abs(w[i]!) === c) expect(back[i]).toBe(w[i]);
    }
    expect(worstShare).toBeGreaterThan(0.5); // the bound is nearly reached, not loose
    expect(maxAbsDiff(dequantizeBlockwise(quantizeBlockwise(new Float32Array(64), NF4_CODE, 64), NF4_CODE), new Float32Array(64))).toBe(0);
  });

  it('double quantization: each block constant within (its block of 256)’s max |c − mean| × the 8-bit map’s rounding bound', () => {
    const w = testWeights(NF4_BLOCK_SIZE * CONSTANT_BLOCK_SIZE * 3 + 640, 6);
    const absmax = quantizeBlockwise(w, NF4_CODE, NF4_BLOCK_SIZE).absmax;
    const dq = quantizeConstants(absmax);
    expect(dq.codes.absmax).toHaveLength(4);
    const back = dequantizeConstants(dq);
    const bound = roundingBound(DYNAMIC_CODE);
    expect(bound).toBeLessThan(0.008);
    for (let i = 0; i < absmax.length; i++) {
      const scale = dq.codes.absmax[Math.floor(i / CONSTANT_BLOCK_SIZE)]!;
      expect(Math.abs(absmax[i]! - back[i]!)).toBeLessThanOrEqual(scale * bound + 1e-7 * absmax[i]!);
    }
    // Each mean is kept in fp32, and a constant equal to it comes back exactly (0 is a code).
    expect(dq.offset).toBe(Math.fround(absmax.reduce((s, c) => s + c, 0) / absmax.length));
  });

  it('NF4 with double quantization: |w − deq| ≤ absmax × half-gap + the error of its constant', () => {
    const w = testWeights(NF4_BLOCK_SIZE * 300 + 5, 7);
    const t = quantizeNF4(w);
    const back = dequantizeNF4(t);
    const exact = quantizeBlockwise(w, NF4_CODE, NF4_BLOCK_SIZE).absmax;
    const approx = dequantizeConstants(t.constants);
    const halfGap = roundingBound(NF4_CODE);
    for (let i = 0; i < w.length; i++) {
      const b = Math.floor(i / NF4_BLOCK_SIZE);
      const bound = exact[b]! * halfGap + Math.abs(exact[b]! - approx[b]!);
      expect(Math.abs(w[i]! - back[i]!)).toBeLessThanOrEqual(bound * (1 + 1e-6));
    }
  });

  it('rounds normally distributed weights with less error than 4-bit integers with the same blocks (the paper’s case for NF4)', () => {
    const w = normals(createRng(9), NF4_BLOCK_SIZE * 512, 1);
    const int4 = Array.from({ length: 15 }, (_, i) => (i - 7) / 7);
    const mse = (code: readonly number[]) => {
      const back = dequantizeBlockwise(quantizeBlockwise(w, code, NF4_BLOCK_SIZE), code);
      return back.reduce((s, v, i) => s + (v - w[i]!) ** 2, 0) / w.length;
    };
    expect(mse(NF4_CODE)).toBeLessThan(0.9 * mse(int4));
  });

  it('stores 4 + 8/64 + 32/(64·256) bits per weight, plus one fp32 mean per tensor: the NF4 precision of the cost model', () => {
    const n = NF4_BLOCK_SIZE * CONSTANT_BLOCK_SIZE * 4;
    const t = quantizeNF4(testWeights(n, 8));
    expect((nf4StorageBits(t) - 32) / n).toBe(NF4_BITS_PER_WEIGHT);
  });
});

describe('QLoRA on the toy', () => {
  it('reads every linear weight through NF4, leaves embeddings, norms and biases alone, and never changes the model’s own weights', () => {
    const model = loadShippedModel();
    const before = model.snapshot();
    const applied = qlora.apply(model, toyConfig(qlora, model.arch));
    const ctx = { batch: 1, seq: 1, prefixLength: 0, positions: [0], mode: 'eval' as const, step: 0 };
    let quantized = 0;
    for (const [name, v] of model.weights) {
      const seen = applied.hooks.weight!(name, v, ctx);
      if (!/^h\.\d+\.(q_proj|k_proj|v_proj|o_proj|fc1|fc2)\.weight$/.test(name)) {
        expect(seen, name).toBe(v);
        continue;
      }
      quantized++;
      const [rows, cols] = v.shape as [number, number];
      const w = before.get(name)!;
      // Quantized in PyTorch's [out, in] layout, as bitsandbytes sees nn.Linear.weight.
      const t = Float32Array.from({ length: w.length }, (_, k) => w[(k % rows) * cols + Math.floor(k / rows)]!);
      const deq = dequantizeNF4(quantizeNF4(t));
      const expected = Float32Array.from({ length: w.length }, (_, k) => deq[(k % cols) * rows + Math.floor(k / cols)]!);
      const values = seen.dataSync() as Float32Array;
      expect(maxAbsDiff(values, expected), name).toBe(0);
      expect(maxAbsDiff(values, w), name).toBeGreaterThan(0);
    }
    expect(quantized).toBe(model.dims.layers * 6);
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, before.get(name)!), name).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('keeps the shipped model’s logits close: relative error of the NF4 base under 10%, with its weights ~9% off', () => {
    const model = loadShippedModel();
    const fp32 = logitsOf(model);
    const applied = qlora.apply(model, toyConfig(qlora, model.arch));
    const nf4 = logitsOf(model, applied.hooks); // B = 0: the quantized base alone
    const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    const relative = norm(nf4.map((v, i) => v - fp32[i]!)) / norm(fp32);
    // Measured: the linear weights' relative RMS error is 0.090–0.097, the logits' 0.069.
    expect(relative).toBeGreaterThan(0.01);
    expect(relative).toBeLessThan(0.1);
    applied.dispose();
    model.dispose();
  });

  it('gives the same outputs merged and unmerged, and unmerging restores the fp32 weights exactly', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = qlora.apply(model, resolveConfig(qlora, model.arch, { r: 4, targets: ['q_proj', 'v_proj', 'fc2'] }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    const quantizedBase = qlora.apply(model, resolveConfig(qlora, model.arch, { r: 4, targets: ['q_proj'] }));
    expect(maxAbsDiff(unmerged, logitsOf(model, quantizedBase.hooks))).toBeGreaterThan(1e-4); // the update is not trivial
    quantizedBase.dispose();
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('QLoRA on real models', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
  // Σ(in + out) over one Llama-2-7B layer's seven maps: 4 × (4096 + 4096) + 3 × (4096 + 11008).
  const perRank = 4 * (4096 + 4096) + 3 * (4096 + 11008);

  it('defaults to LoRA r = 64, α = 16 on every linear map (fused qkv included), as the paper’s code', () => {
    expect(resolveConfig(qlora, llama)).toEqual({
      r: 64,
      alpha: 16,
      targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
      bias: 'none',
      rankPattern: '',
      alphaPattern: '',
    });
    expect(resolveConfig(qlora, findModel('gpt2').arch).targets).toEqual(['c_attn', 'attn.c_proj', 'c_fc', 'mlp.c_proj']);
    expect(resolveConfig(qlora, findModel('bigscience/bloom-560m').arch).targets).toEqual(['query_key_value', 'dense', 'dense_h_to_4h', 'dense_4h_to_h']);
    expect(resolveConfig(qlora, findModel('t5-large').arch).targets).toEqual(['q', 'k', 'v', 'o', 'wi', 'wo']);
    expect(qlora.traits.basePrecision).toBe('nf4');
  });

  it('Llama-2-7B, r = 64 on all seven maps (the paper’s 7B setup): 32 × 64 × 78,080 = 159,907,840, by hand', () => {
    expect(perRank).toBe(78_080);
    expect(qlora.trainableParams(llama, resolveConfig(qlora, llama))).toBe(32 * 64 * perRank);
    expect(32 * 64 * perRank).toBe(159_907_840);
  });

  it('HF PEFT, Llama-2-7B in 4-bit NF4 with LoRA r = 16 on all linear maps: "trainable params: 39,976,960 || all params: 3,540,389,888"', () => {
    // The print_trainable_parameters line quoted by QLoRA tutorials for this setup. HF counts each
    // packed 4-bit weight tensor at half its size, so "all params" also checks which weights
    // bitsandbytes quantizes: exactly the layers' linear weight matrices (cost/precision.ts).
    const trainable = qlora.trainableParams(llama, resolveConfig(qlora, llama, { r: 16, alpha: 32 }));
    expect(trainable).toBe(39_976_960);
    expect(trainable).toBe(32 * 16 * perRank);
    expect(totalParams(llama) + trainable - linearWeightParams(llama) / 2).toBe(3_540_389_888);
  });

  it('LLaMA-65B, r = 64 on all seven maps (the paper’s 65B setup): 80 × 64 × (4 × 16,384 + 3 × 30,208) = 799,539,200, by hand', () => {
    expect(qlora.trainableParams(LLAMA_65B, resolveConfig(qlora, LLAMA_65B))).toBe(80 * 64 * (4 * 16_384 + 3 * 30_208));
    expect(80 * 64 * (4 * 16_384 + 3 * 30_208)).toBe(799_539_200);
  });

  it("holds the base at the cost model's NF4 bytes whatever the setup's precision", () => {
    const config: Parameters<typeof qlora.apply>[1] = resolveConfig(qlora, llama);
    const trainable = qlora.trainableParams(llama, config);
    for (const precision of ['fp32', 'bf16', 'int8', 'nf4'] as const) {
      const memory = trainingMemory(llama, qlora, config, { ...DEFAULT_SETUP, precision });
      expect(memory.weights - 4 * trainable, precision).toBe(baseWeightBytes(llama, 'nf4'));
    }
    // 6,476,005,376 linear weights at 4.126953125 bits (3,340,771,328 bytes) and 262,410,240
    // other scalars in 16-bit (524,820,480 bytes).
    expect(linearWeightParams(llama)).toBe(6_476_005_376);
    expect(baseWeightBytes(llama, 'nf4')).toBe(3_340_771_328 + 524_820_480);
  });
});

describe('QLoRA shares LoRA’s counting options', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
  it('counts the embedding, the head, patterns and biases as LoRA does (HF PEFT LoraConfig on a 4-bit model)', () => {
    const input = { r: 16, targets: ['q_proj', 'v_proj', 'embed_tokens', 'lm_head'], rankPattern: 'v_proj=4', bias: 'all' };
    expect(qlora.trainableParams(llama, resolveConfig(qlora, llama, input))).toBe(lora.trainableParams(llama, resolveConfig(lora, llama, input)));
    // 32 × (16 + 4) × 8,192 + 2 × 16 × (32,000 + 4,096); Llama has no biases.
    expect(qlora.trainableParams(llama, resolveConfig(qlora, llama, input))).toBe(32 * 20 * 8_192 + 2 * 16 * 36_096);
  });

  it('exports a LoraConfig with the NF4 BitsAndBytesConfig', () => {
    const exported = qlora.peft!(resolveConfig(qlora, llama), llama);
    expect(exported.configClass).toBe('LoraConfig');
    expect(exported.quantization).toMatchObject({ load_in_4bit: true, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true });
  });
});
