import type { Architecture } from '../arch';
import { totalParams } from '../arch';

/**
 * Bytes of the frozen base weights at each storage precision. Sources and reasoning are on
 * /about/cost-model/ (content/pages/cost-model.mdx).
 *
 * Only the weight matrices of the layers' linear maps are quantized, as bitsandbytes does through
 * transformers (it replaces `nn.Linear` modules and keeps the output projection to the vocabulary
 * unconverted); embeddings, norms, biases and the LM head stay in 16-bit.
 */

/** NF4 with double quantization (Dettmers et al., 2023, QLoRA): 4 bits per weight, one 8-bit
 * constant per block of 64 weights, and one fp32 constant per 256 of those constants. */
export const NF4_BITS_PER_WEIGHT = 4 + 8 / 64 + 32 / (64 * 256);

/** LLM.int8() (Dettmers et al., 2022) quantizes weights vector-wise: one byte per weight and one
 * fp32 scale per output row. */
export const INT8_SCALE_BYTES_PER_ROW = 4;

export type WeightPrecision = 'fp32' | 'bf16' | 'fp16' | 'int8' | 'nf4';

/** Scalars in the weight matrices of all layers' linear maps (biases excluded). */
export function linearWeightParams(arch: Architecture): number {
  return arch.stacks.reduce((sum, s) => sum + s.layers * s.linears.reduce((n, l) => n + l.inFeatures * l.outFeatures, 0), 0);
}

/** Output rows of all layers' linear maps: one int8 scale each. */
function linearRows(arch: Architecture): number {
  return arch.stacks.reduce((sum, s) => sum + s.layers * s.linears.reduce((n, l) => n + l.outFeatures, 0), 0);
}

/**
 * Bytes of the base model's weights at `precision`, leaving out `excluded` scalars that are
 * trained (and so held separately in fp32). Excluded scalars are never linear weight matrices in
 * a quantized model: only biases (BitFit) are trained inside a quantized base.
 */
export function baseWeightBytes(arch: Architecture, precision: WeightPrecision, excluded = 0): number {
  const total = totalParams(arch);
  switch (precision) {
    case 'fp32':
      return 4 * (total - excluded);
    case 'bf16':
    case 'fp16':
      return 2 * (total - excluded);
    case 'int8': {
      const linear = linearWeightParams(arch);
      return linear + INT8_SCALE_BYTES_PER_ROW * linearRows(arch) + 2 * (total - linear - excluded);
    }
    case 'nf4': {
      const linear = linearWeightParams(arch);
      return (linear * NF4_BITS_PER_WEIGHT) / 8 + 2 * (total - linear - excluded);
    }
  }
}
