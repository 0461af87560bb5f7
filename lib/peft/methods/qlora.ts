import type * as tfTypes from '@tensorflow/tfjs';
import { attachAll, linearParts, targetParts } from '../method-api/anatomy';
import { chainHooks } from '../method-api/compose';
import { defineMethod } from '../method-api/define';
import { toyTargetSites } from '../method-api/toy-sites';
import type { ModelHooks } from '../model/hooks';
import type { ToyModel } from '../model/transformer';
import { pythonCode } from '../method-api/python';
import { LORA_OPTIONS, applyLora, loraAnatomy, loraExport, loraProfile } from './lora';

/* ---------------------------------------------------------------------------------------------
 * 4-bit NormalFloat (NF4) with double quantization, as QLoRA stores its frozen base (Dettmers et
 * al., 2023, §3) and as bitsandbytes implements it (`quantize_4bit(…, quant_type='nf4',
 * compress_statistics=True)`, bitsandbytes/functional.py at commit
 * 01327aa0119fa503ea16322dd72f69f202e4502e):
 *
 * 1. The weight, flattened in PyTorch's [out, in] layout, is cut into blocks of 64 values; each
 *    block keeps its absolute maximum c (fp32) and every value the index of the NF4 code nearest
 *    to w / c.
 * 2. Double quantization: the constants c, less their mean (kept in fp32), are quantized to 8 bits
 *    in blocks of 256, each block with its own fp32 absolute maximum. The paper says "8-bit
 *    Floats"; bitsandbytes uses its 8-bit *dynamic* map (`create_dynamic_map`: a sign, a decimal
 *    exponent 10^-6 … 10^0 and a linear fraction), and so do we.
 *
 * 4 + 8/64 + 32/(64·256) bits per weight, plus one fp32 mean per tensor (NF4_BITS_PER_WEIGHT in
 * cost/precision.ts leaves that one out). Dequantization multiplies code by constant; the values
 * are kept as fp32 here, where bitsandbytes casts them to the 16-bit compute dtype.
 * ------------------------------------------------------------------------------------------- */

/** The 16 NF4 values (bitsandbytes `get_4bit_type('nf4')`; QLoRA Appendix E): quantiles of N(0, 1)
 * scaled to [−1, 1], asymmetric so that 0 is exact: 7 negative, 8 positive values. */
export const NF4_CODE: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023,
  1.0,
].map(Math.fround);

export const NF4_BLOCK_SIZE = 64;
export const CONSTANT_BLOCK_SIZE = 256;

/** bitsandbytes' signed 8-bit dynamic map (`create_dynamic_map(signed=True)`): for each decimal
 * exponent e = −6 … 0, 2^(e+6) values 10^e·m with m the midpoints of a linear grid on [0.1, 1],
 * both signs, plus 0 and 1; 256 values, sorted. (bitsandbytes builds the grid in float32 with
 * torch.linspace; here it is built in double and rounded once.) */
export const DYNAMIC_CODE: readonly number[] = (() => {
  const values = [0, 1];
  for (let i = 0; i < 7; i++) {
    const n = 2 ** i;
    for (let j = 0; j < n; j++) {
      const mid = 0.1 + (0.9 * (j + 0.5)) / n;
      values.push(10 ** (i - 6) * mid, -(10 ** (i - 6) * mid));
    }
  }
  return values.sort((a, b) => a - b).map(Math.fround);
})();

/** Index of the code value nearest to x (codes ascending); a value halfway between two codes takes
 * the lower one, as bitsandbytes' thresholds (`x > midpoint`) do. */
export function nearestCode(code: readonly number[], x: number): number {
  let lo = 0;
  let hi = code.length - 1;
  if (x <= code[lo]!) return lo;
  if (x >= code[hi]!) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (code[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return x - code[lo]! > code[hi]! - x ? hi : lo;
}

/** Values quantized blockwise against a code: one index per value, one absmax per block. */
export interface BlockCodes {
  indices: Uint8Array;
  absmax: Float32Array;
  blockSize: number;
}

export function quantizeBlockwise(values: ArrayLike<number>, code: readonly number[], blockSize: number): BlockCodes {
  const n = values.length;
  const absmax = new Float32Array(Math.ceil(n / blockSize));
  const indices = new Uint8Array(n);
  const zero = nearestCode(code, 0);
  for (let b = 0; b < absmax.length; b++) {
    const end = Math.min(n, (b + 1) * blockSize);
    let m = 0;
    for (let i = b * blockSize; i < end; i++) m = Math.max(m, Math.abs(values[i]!));
    absmax[b] = m;
    for (let i = b * blockSize; i < end; i++) indices[i] = m > 0 ? nearestCode(code, values[i]! / m) : zero;
  }
  return { indices, absmax, blockSize };
}

export function dequantizeBlockwise(q: BlockCodes, code: readonly number[], absmax: Float32Array = q.absmax): Float32Array {
  const out = new Float32Array(q.indices.length);
  for (let i = 0; i < out.length; i++) out[i] = code[q.indices[i]!]! * absmax[Math.floor(i / q.blockSize)]!;
  return out;
}

/** The per-block constants after double quantization. */
export interface QuantizedConstants {
  codes: BlockCodes;
  /** Their mean, subtracted before quantizing (fp32). */
  offset: number;
}

export function quantizeConstants(absmax: Float32Array): QuantizedConstants {
  const offset = Math.fround(absmax.reduce((s, c) => s + c, 0) / absmax.length);
  return { codes: quantizeBlockwise(absmax.map((c) => c - offset), DYNAMIC_CODE, CONSTANT_BLOCK_SIZE), offset };
}

export function dequantizeConstants(c: QuantizedConstants): Float32Array {
  return dequantizeBlockwise(c.codes, DYNAMIC_CODE).map((v) => v + c.offset);
}

/** A tensor in NF4 with double-quantized constants. */
export interface NF4Tensor {
  /** 4-bit code indices, one per value (stored one per byte here; 4 bits each in bitsandbytes). */
  indices: Uint8Array;
  constants: QuantizedConstants;
}

export function quantizeNF4(values: ArrayLike<number>): NF4Tensor {
  const q = quantizeBlockwise(values, NF4_CODE, NF4_BLOCK_SIZE);
  return { indices: q.indices, constants: quantizeConstants(q.absmax) };
}

export function dequantizeNF4(t: NF4Tensor): Float32Array {
  return dequantizeBlockwise({ indices: t.indices, absmax: new Float32Array(0), blockSize: NF4_BLOCK_SIZE }, NF4_CODE, dequantizeConstants(t.constants));
}

/** Bits an NF4 tensor occupies: 4 per value, 8 per block constant, 32 per block of constants, and the fp32 mean. */
export function nf4StorageBits(t: NF4Tensor): number {
  return 4 * t.indices.length + 8 * t.constants.codes.indices.length + 32 * t.constants.codes.absmax.length + 32;
}

/**
 * The toy's linear weights ([in, out]) as the frozen NF4 base holds them: quantized in PyTorch's
 * [out, in] layout, as bitsandbytes flattens `nn.Linear.weight`, so a block runs along one output
 * unit's inputs, and dequantized back to [in, out]. Every linear map of every layer is quantized
 * (transformers' bitsandbytes integration replaces every `nn.Linear` but the LM head); embeddings,
 * norms and biases stay as they are.
 */
function dequantizedLinears(model: ToyModel): Map<string, tfTypes.Tensor> {
  const tf = model.tf;
  const out = new Map<string, tfTypes.Tensor>();
  for (let layer = 0; layer < model.dims.layers; layer++) {
    for (const l of model.arch.stacks[0]!.linears) {
      const name = `h.${layer}.${l.name}.weight`;
      const [rows, cols] = [l.inFeatures, l.outFeatures];
      const w = model.weight(name).dataSync() as Float32Array;
      const transposed = new Float32Array(w.length);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) transposed[j * rows + i] = w[i * cols + j]!;
      const deq = dequantizeNF4(quantizeNF4(transposed));
      const back = new Float32Array(w.length);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) back[i * cols + j] = deq[j * rows + i]!;
      // Kept: a constant that lives across steps, freed in dispose().
      out.set(name, tf.keep(tf.tensor2d(back, [rows, cols])));
    }
  }
  return out;
}

/**
 * QLoRA (Dettmers et al., 2023): LoRA trained on top of a frozen base whose linear weights are
 * stored in 4-bit NormalFloat with double quantization and dequantized on the fly for every
 * matrix multiplication; the LoRA factors stay in higher precision, and gradients flow through
 * the dequantized weights into them. The paper finds LoRA on every linear layer of the blocks
 * needed to match 16-bit full fine-tuning (§4), and its code defaults to r = 64, α = 16 on all
 * linear maps but the LM head (artidoro/qlora `qlora.py` at commit
 * 00e5ad2a75bccb5d7afee3e8186b783385052315: `lora_r`, `lora_alpha`, `find_all_linear_names`),
 * which are our defaults.
 *
 * The toy reuses our LoRA method unchanged: its hooks run after a `weight` hook that hands the
 * forward pass the NF4-dequantized weights, computed once at apply time; the model's own fp32
 * weights are never touched. Counting is LoRA's on the same targets (HF PEFT); the calculator
 * holds the base in NF4 whatever the setup's precision (`traits.basePrecision`).
 */
export const qlora = defineMethod({
  id: 'qlora',
  name: 'QLoRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the LoRA update AB (the paper: 64).', kind: 'int', min: 1, max: 1024, default: 64 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r (the paper: 16).', kind: 'number', min: 0.01, max: 4096, default: 16 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get a LoRA update; by default all of them, as the paper recommends (the LM head excluded).',
      kind: 'modules',
      defaultRoles: ['attn.q', 'attn.k', 'attn.v', 'attn.qkv', 'attn.o', 'cross.q', 'cross.k', 'cross.v', 'cross.o', 'mlp.gate', 'mlp.in', 'mlp.out'],
      // transformers' bitsandbytes integration leaves the LM head and the embedding unquantized;
      // LoRA on them is LoRA on an ordinary Linear and Embedding.
      outside: ['embedding', 'lmHead'],
    },
    ...LORA_OPTIONS,
  ],
  // r = 64 would be full rank on the 64-wide toy; r = 8 and α = 16 as LoRA's toy runs.
  toyConfig: { r: 8, alpha: 16 },
  rankParam: 'r',
  toyLearningRate: 5e-3,
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    basePrecision: 'nf4',
    // HF PEFT's Linear4bit.merge (src/peft/tuners/lora/bnb.py at 5d602fd) does this and warns of it.
    atInference: 'Merging dequantizes each 4-bit weight, adds the update and quantizes the sum again, so the update is rounded to NF4; kept unmerged, the NF4 base serves with the adapter beside it.',
  },
  lineage: [{ id: 'lora', how: 'trains LoRA on a frozen base stored in 4-bit NormalFloat', where: 'abstract' }],
  // Every linear map of the blocks is held in NF4; LoRA adds its update on the targeted ones.
  anatomy: (arch, config) => [...loraAnatomy(arch, config), ...attachAll(linearParts(arch), 'changed', 'NF4-quantized frozen weight')],
  profile: loraProfile,
  // The paper's setup in transformers: NF4 storage with double quantization and BFloat16 as the
  // computation data type (QLoRA §3: "usually BFloat16").
  peft: (config, arch) => ({
    ...loraExport(config, arch),
    quantization: { load_in_4bit: true, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: pythonCode('torch.bfloat16') },
  }),
  apply(model, config, { seed = 0 } = {}) {
    const tf = model.tf;
    const adapter = applyLora(model, config, { seed });
    const base = dequantizedLinears(model);
    // While merged: the dequantized base plus LoRA's ΔW, per targeted weight.
    let merged: Map<string, tfTypes.Tensor> | null = null;
    const quantized: ModelHooks = { weight: (name, w) => merged?.get(name) ?? base.get(name) ?? w };
    const freeMerged = () => {
      tf.dispose([...(merged?.values() ?? [])]);
      merged = null;
    };
    return {
      trainable: adapter.trainable,
      hooks: chainHooks(tf, quantized, adapter.hooks),
      // LoRA's merge writes W + ΔW into the fp32 weights; ΔW is read back from that and added to
      // the dequantized base, which the forward pass then reads (in fp32: merging into a 16-bit copy
      // of the base, as QLoRA models are usually served; bitsandbytes' in-place merge would
      // re-quantize W + ΔW to NF4). Unmerging restores the fp32 weights exactly.
      merge() {
        if (merged) return;
        const names = toyTargetSites(model, config.targets).map((s) => s.weightName);
        const before = new Map(names.map((n) => [n, model.weight(n).clone()]));
        adapter.merge!();
        merged = new Map(names.map((n) => [n, tf.tidy(() => tf.add(base.get(n)!, tf.sub(model.weight(n), before.get(n)!)))]));
        tf.dispose([...before.values()]);
      },
      unmerge() {
        if (!merged) return;
        adapter.unmerge!();
        freeMerged();
      },
      dispose() {
        adapter.dispose();
        freeMerged();
        tf.dispose([...base.values()]);
      },
    };
  },
});
