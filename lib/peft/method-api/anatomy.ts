import type { Architecture, LinearRole } from '../arch';
import { matchingLinears } from '../arch';

/**
 * Where a method attaches inside a transformer block, in one vocabulary shared by the method
 * files (which declare it), the method contract (which checks the declaration against what
 * `apply` really does to the toy) and the block diagram (which draws it).
 */

/** The parts of a (pre-norm) transformer block and its surroundings, in reading order. */
export const BLOCK_PARTS = [
  'input', // tokens before embedding: where soft prompts are prepended
  'embedding',
  'attn.norm',
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.kv-prefix', // keys and values placed before each layer's own
  'attn.o',
  'attn.output', // the attention sublayer's output, before the residual add
  'ffn.norm',
  'ffn.up',
  'ffn.hidden', // the FFN's hidden activation
  'ffn.down',
  'ffn.output', // the FFN sublayer's output, before the residual add
  'final', // after the last block: final norm, or a side network joining
  'head',
] as const;
export type BlockPart = (typeof BLOCK_PARTS)[number];

/**
 * - trained: existing weights of the model are updated (full fine-tuning, BitFit's biases);
 * - added: new trainable tensors or modules act here (LoRA's A and B, an adapter, a prompt);
 * - changed: the frozen part computes something else without training here (QLoRA's NF4 base,
 *   a weight rotated or regenerated from a low-dimensional vector).
 */
export type AttachmentKind = 'trained' | 'added' | 'changed';

export interface Attachment {
  part: BlockPart;
  kind: AttachmentKind;
  /** A few words for the diagram's legend: "rank-r update BA", "biases only". */
  note: string;
}

/** The block parts a linear map of a given role is drawn as: the diagram shows one generic block,
 * so a decoder's cross-attention maps draw on the attention parts and a fused map covers several. */
export const ROLE_PARTS: Record<LinearRole, readonly BlockPart[]> = {
  'attn.q': ['attn.q'],
  'attn.k': ['attn.k'],
  'attn.v': ['attn.v'],
  'attn.qkv': ['attn.q', 'attn.k', 'attn.v'],
  'attn.o': ['attn.o'],
  'cross.q': ['attn.q'],
  'cross.k': ['attn.k'],
  'cross.v': ['attn.v'],
  'cross.o': ['attn.o'],
  'mlp.in': ['ffn.up'],
  'mlp.gate': ['ffn.up'],
  'mlp.out': ['ffn.down'],
};

/** The parts covered by the linear maps `targets` selects in an architecture. */
export function targetParts(arch: Architecture, targets: readonly string[]): BlockPart[] {
  const parts = new Set<BlockPart>();
  for (const stack of arch.stacks) for (const linear of matchingLinears(stack, targets)) for (const p of ROLE_PARTS[linear.role]) parts.add(p);
  return BLOCK_PARTS.filter((p) => parts.has(p));
}

/** One attachment per part, with the same kind and note. */
export function attachAll(parts: readonly BlockPart[], kind: AttachmentKind, note: string): Attachment[] {
  return parts.map((part) => ({ part, kind, note }));
}
