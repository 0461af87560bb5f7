import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { greBsmoRounds, greBsmoSparse, householderQr } from '../method-api/grebsmo';
import { groupsSize } from '../method-api/profile';
import { resolveConfig, toyConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';
import { sparseLora, sparseLoraProfile, sparsePositions } from './sparse-lora';

methodContract(sparseLora, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'], sparse: 10 },
    // More entries than a tiny 16 × 16 map holds: all of them train.
    { r: 3, targets: ['q_proj', 'mlp.fc2'], sparse: 300 },
  ],
});

beforeAll(useTestBackend);

type Config = Parameters<typeof sparseLora.apply>[1];
const resolve = (arch: ToyModel['arch'], input: Record<string, number | string[]> = {}) => resolveConfig<Config>(sparseLora, arch, input);
const values = (t: tf.Tensor) => Float32Array.from(t.dataSync());

describe('the low-rank-plus-sparse decomposition (GreBsmo as DSEE runs it)', () => {
  it('Householder QR: orthonormal Q, upper-triangular R, Q·R = A, also for a rank-deficient A', () => {
    const [m, n] = [7, 4];
    const a = Float64Array.from({ length: m * n }, (_, p) => Math.cos(p * 0.9) + (p % 3));
    // Column 3 = 2 × column 1: rank 3.
    for (let i = 0; i < m; i++) a[i * n + 3] = 2 * a[i * n + 1]!;
    const { q, r, p } = householderQr(a, m, n);
    expect(p).toBe(4);
    for (let c = 0; c < p; c++) {
      for (let d = 0; d < p; d++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * p + c]! * q[i * p + d]!;
        expect(dot).toBeCloseTo(c === d ? 1 : 0, 12);
      }
      for (let j = 0; j < c; j++) expect(r[c * n + j]).toBe(0);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let c = 0; c < p; c++) sum += q[i * p + c]! * r[c * n + j]!;
        expect(sum).toBeCloseTo(a[i * n + j]!, 12);
      }
    }
  });

  it('runs the reference’s 100 rounds on BERT-sized maps, and stops at 65% of the full rank on small ones', () => {
    // run_glue.py @61844c3: `for rank in range(100)`, 5 rows added per round: rank 496 in the last round.
    expect(greBsmoRounds(768, 768)).toBe(100);
    expect(greBsmoRounds(3072, 768)).toBe(100);
    expect(greBsmoRounds(4096, 4096)).toBe(100);
    // ⌊64 · 496/768⌋ = 41 = 1 + 5·8: nine rounds on the toy's maps; ⌊16 · 496/768⌋ = 10: two on the tiny toy's.
    expect(greBsmoRounds(64, 64)).toBe(9);
    expect(greBsmoRounds(64, 256)).toBe(9);
    expect(greBsmoRounds(16, 16)).toBe(2);
  });

  it('matches a numpy transcription of the reference loop (numpy.linalg.qr, LAPACK’s Householder QR as torch.qr)', () => {
    // W (12 × 10): 0.05·sin(1.7·i + 0.3·j²) plus 0.3 at every 17th entry; V starts from
    // normals(createRng(4), 10, 1), as greBsmoSparse draws it. The expected values were computed
    // with numpy 2.4 from the reference's loop (2 rounds here, as greBsmoRounds(12, 10) gives).
    const [m, n] = [12, 10];
    const w = Float64Array.from({ length: m * n }, (_, p) => 0.05 * Math.sin(1.7 * Math.floor(p / n) + 0.3 * (p % n) ** 2) + (p % 17 === 0 ? 0.3 : 0));
    const s = greBsmoSparse(w, m, n, { seed: 4 });
    expect(s.filter((x) => x !== 0).length).toBe(82);
    expect(s.reduce((sum, x) => sum + Math.abs(x), 0)).toBeCloseTo(3.2715607577824266, 12);
    const order = [...s.keys()].sort((i, j) => Math.abs(s[j]!) - Math.abs(s[i]!) || i - j).slice(0, 5);
    expect(order).toEqual([85, 0, 51, 55, 105]);
    expect(s[85]).toBeCloseTo(0.2680396327569649, 12);
    expect(s[55]).toBeCloseTo(-0.09420335753231501, 12);
  });
});

describe('Sparse LoRA on the toy', () => {
  it('trains exactly N entries of S per matrix, the N largest of the decomposition’s sparse part', () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    const config = resolve(model.arch, { r: 2, targets: ['q_proj', 'v_proj', 'fc1'], sparse: 7 });
    const applied = sparseLora.apply(model, config, { seed: 3 });
    const masks = applied.gradientMasks!;
    // LoRA's A and B per map, then one S per map.
    expect(masks.size).toBe(2 * 3);
    // The S variables follow LoRA's factors, one per map in layer order.
    const sparse = applied.trainable.filter((v) => masks.has(v));
    let site = 0;
    for (let layer = 0; layer < 2; layer++) {
      for (const name of ['q_proj', 'v_proj', 'fc1']) {
        const w = model.weight(`h.${layer}.${name}.weight`);
        const [rows, cols] = w.shape as [number, number];
        const mask = values(masks.get(sparse[site]!)!);
        expect(mask.reduce((a, b) => a + b, 0)).toBe(7);
        expect([...mask]).toEqual([...sparsePositions(values(w), rows, cols, 7, 3)]);
        // The N largest |S| of the decomposition of W as PyTorch stores it (out × in).
        const t = new Float64Array(rows * cols);
        const wv = values(w);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = wv[i * cols + j]!;
        const decomposed = greBsmoSparse(t, cols, rows, { seed: 3 });
        let [minKept, maxDropped] = [Infinity, -Infinity];
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            const score = Math.abs(decomposed[j * rows + i]!);
            if (mask[i * cols + j]) minKept = Math.min(minKept, score);
            else maxDropped = Math.max(maxDropped, score);
          }
        }
        expect(minKept).toBeGreaterThanOrEqual(maxDropped);
        expect(minKept).toBeGreaterThan(0);
        site++;
      }
    }
    applied.dispose();
    model.dispose();
  });

  it('starts from the pretrained function, keeps S at zero outside its N positions, and never moves them', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const base = logitsOf(model);
    const applied = sparseLora.apply(model, resolve(model.arch, { r: 2, sparse: 5 }), { seed: 1 });
    // B = 0 and S = 0 at the start: nothing changes.
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    const masks = [...applied.gradientMasks!];
    const before = masks.map(([, m]) => values(m));
    const trainer = trainerFor(model, applied, { steps: 20, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 20; i++) trainer.step(fixedBatch(i));
    masks.forEach(([s, m], k) => {
      const mask = values(m);
      expect([...mask]).toEqual([...before[k]!]);
      const trained = values(s);
      let inside = 0;
      trained.forEach((x, p) => {
        if (mask[p] === 1) inside += x !== 0 ? 1 : 0;
        else expect(x).toBe(0);
      });
      expect(inside).toBeGreaterThan(0);
      expect(inside).toBeLessThanOrEqual(5);
    });
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('merges both parts into W (no hooks needed) and unmerges exactly', () => {
    const model = ToyModel.init(TINY_DIMS, 13);
    const applied = sparseLora.apply(model, toyConfig(sparseLora, model.arch), { seed: 2 });
    const trainer = trainerFor(model, applied, { steps: 8, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 8; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-4);
    applied.unmerge!();
    for (const [name, v] of model.snapshot()) expect(maxAbsDiff(v, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('Sparse LoRA on real models', () => {
  it('BERT-base, r = 16 on query and value, N = 64 (the README’s example): LoRA’s 589,824 plus 24 · 64', () => {
    const arch = findModel('bert-base-uncased').arch;
    const config = resolve(arch, { targets: ['query', 'value'] });
    expect(config).toMatchObject({ r: 16, alpha: 32, sparse: 64 });
    // modeling_bert.py @61844c3: query/value_lora_a (768 → 16) and _lora_b (16 → 768) in each of
    // 12 layers: 12 · 2 · (768·16 + 16·768) = 589,824; plus N = 64 entries of each of the 24 S.
    expect(sparseLora.trainableParams(arch, config)).toBe(12 * 2 * (768 * 16 + 16 * 768) + 24 * 64);
    expect(sparseLora.trainableParams(arch, config)).toBe(591_360);
    // The same as LoRA's own count plus N per matrix.
    const loraCount = lora.trainableParams(arch, resolveConfig(lora, arch, { r: 16, alpha: 32, targets: ['query', 'value'] }));
    expect(sparseLora.trainableParams(arch, config)).toBe(loraCount + 24 * 64);
    // The scripts' N = 16: 589,824 + 384.
    expect(sparseLora.trainableParams(arch, resolve(arch, { targets: ['query', 'value'], sparse: 16 }))).toBe(590_208);
    // The optimizer holds the dense S (prune.custom_from_mask keeps weight_orig): 24 · 768² more.
    expect(groupsSize(sparseLoraProfile(arch, config).tensors)).toBe(589_824 + 24 * 768 * 768);
    // The checkpoint: A and B, and N values plus N positions per matrix.
    expect(sparseLora.savedParams(arch, config)).toBe(589_824 + 2 * 24 * 64);
  });

  it('GPT-2 (fused c_attn) and Llama 2 7B (q and v) at r = 16, N = 64', () => {
    // GPT-2: 12 · (768·16 + 16·2304) + 12 · 64.
    const gpt2 = findModel('gpt2').arch;
    expect(sparseLora.trainableParams(gpt2, resolve(gpt2))).toBe(12 * (768 * 16 + 16 * 2304) + 12 * 64);
    expect(sparseLora.trainableParams(gpt2, resolve(gpt2))).toBe(590_592);
    // Llama 2 7B: HF PEFT's published LoRA count at r = 8 on q_proj and v_proj is 4,194,304
    // (lora.test.ts), so 8,388,608 at r = 16; plus 32 · 2 · 64.
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(sparseLora.trainableParams(llama, resolve(llama))).toBe(2 * 4_194_304 + 32 * 2 * 64);
  });

  it('says the count follows from the chosen N', () => {
    const arch = findModel('bert-base-uncased').arch;
    expect(sparseLora.traits.countNote!(resolve(arch, { sparse: 16 }))).toMatch(/N = 16/);
  });
});
