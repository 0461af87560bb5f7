import type { Architecture, LinearRole, Stack } from '../arch';
import { matchingLinears } from '../arch';
import type { Sublayer } from '../model/hooks';
import { targetsOutside } from './outside';

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
  'block.output', // the residual stream after the block (both residual adds): where ReFT edits representations
  'final', // after the last block: final norm, or a side network joining
  'head',
] as const;
export type BlockPart = (typeof BLOCK_PARTS)[number];

/**
 * - trained: existing weights of the model are updated (full fine-tuning, BitFit's biases);
 * - added: new trainable tensors act here (LoRA's A and B, an adapter, a prompt, OFT's rotation,
 *   Intrinsic SAID's projected update): what is trained lives outside the model, its effect here;
 * - changed: the frozen part computes something else with nothing trained acting through it
 *   (QLoRA's NF4-quantized base weights).
 * A part may carry more than one attachment (QLoRA: a LoRA update on an NF4 weight).
 */
export type AttachmentKind = 'trained' | 'added' | 'changed';

export interface Attachment {
  part: BlockPart;
  kind: AttachmentKind;
  /** A few words for the diagram's legend: "rank-r update BA", "biases only". */
  note: string;
  /** Only for `trained`: the weights trained here are picked from task data before training (FISH
   * Mask's Fisher scores), so a given run may train none of this part's weights. */
  chosenFromData?: true;
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
  // A mixture of experts' router reads the FFN's input, where the up projections do.
  'mlp.router': ['ffn.up'],
};

/** Where a module acting on a sublayer's output (an adapter) is drawn. */
export const SUBLAYER_OUTPUT_PARTS: Record<Sublayer, BlockPart> = { attention: 'attn.output', mlp: 'ffn.output' };

/** The parts in BLOCK_PARTS order, each once. */
export function inBlockOrder(parts: Iterable<BlockPart>): BlockPart[] {
  const set = new Set(parts);
  return BLOCK_PARTS.filter((p) => set.has(p));
}

/** The parts covered by the linear maps `targets` selects in an architecture, and the embedding
 * and the LM head when `targets` name them (see outside.ts). */
export function targetParts(arch: Architecture, targets: readonly string[]): BlockPart[] {
  const parts = arch.stacks.flatMap((s) => matchingLinears(s, targets).flatMap((l) => ROLE_PARTS[l.role]));
  if (targetsOutside(arch, targets, 'embedding')) parts.push('embedding');
  if (targetsOutside(arch, targets, 'lmHead')) parts.push('head');
  return inBlockOrder(parts);
}

/** The parts holding the biases of the linear maps `targets` selects (HF PEFT's `bias='lora_only'`:
 * the biases of the wrapped modules; an LM head's bias when the head is targeted). */
export function targetBiasParts(arch: Architecture, targets: readonly string[]): BlockPart[] {
  const parts = arch.stacks.flatMap((s) => matchingLinears(s, targets).flatMap((l) => (l.bias ? ROLE_PARTS[l.role] : [])));
  if (arch.lmHeadBias && targetsOutside(arch, targets, 'lmHead')) parts.push('head');
  return inBlockOrder(parts);
}

/** The parts covered by every linear map of the blocks (QLoRA quantizes all of them). */
export function linearParts(arch: Architecture): BlockPart[] {
  return inBlockOrder(arch.stacks.flatMap((s) => s.linears.flatMap((l) => ROLE_PARTS[l.role])));
}

/**
 * The part a stack's i-th per-layer norm is drawn as. Norms come in block order, so the first
 * one sits before attention and the last one before the FFN; a decoder's middle norm (before
 * cross-attention) is drawn with attention.
 */
export function normPart(stack: Stack, index: number): BlockPart {
  return index === stack.norms.length - 1 && index > 0 ? 'ffn.norm' : 'attn.norm';
}

/** Every part that holds weights of the model: what full fine-tuning trains. The head is always
 * trained, as its own matrix or as the tied embedding table. */
export function weightParts(arch: Architecture): BlockPart[] {
  const parts: BlockPart[] = ['embedding', 'head', ...linearParts(arch)];
  for (const s of arch.stacks) {
    s.norms.forEach((_, i) => parts.push(normPart(s, i)));
    if (s.finalNorm) parts.push('final');
  }
  return inBlockOrder(parts);
}

/** The parts holding bias vectors (linear maps, norms with a bias, an LM head bias): BitFit's. */
export function biasParts(arch: Architecture): BlockPart[] {
  const parts: BlockPart[] = [];
  for (const s of arch.stacks) {
    for (const l of s.linears) if (l.bias) parts.push(...ROLE_PARTS[l.role]);
    s.norms.forEach((n, i) => n.bias && parts.push(normPart(s, i)));
    if (s.finalNorm?.bias) parts.push('final');
  }
  if (arch.lmHeadBias) parts.push('head');
  return inBlockOrder(parts);
}

/** One attachment per part, with the same kind and note. */
export function attachAll(parts: readonly BlockPart[], kind: AttachmentKind, note: string): Attachment[] {
  return parts.map((part) => ({ part, kind, note }));
}

/** The parts that attachments of the given kinds cover, in block order. */
export function partsOf(attachments: readonly Attachment[], kinds: readonly AttachmentKind[]): BlockPart[] {
  return inBlockOrder(attachments.filter((a) => kinds.includes(a.kind)).map((a) => a.part));
}
