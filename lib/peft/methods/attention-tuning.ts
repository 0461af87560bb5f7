import type { Architecture, LinearMap, LinearRole, Norm, Stack } from '../arch';
import { type Attachment, type BlockPart, ROLE_PARTS, inBlockOrder, normPart } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { type TensorGroup, embeddingWidth, groupsSize } from '../method-api/profile';

/**
 * Attention tuning (Gheini, Ren and May, 2021, "Cross-Attention is All You Need"): fine-tune only
 * the cross-attention of a pretrained encoder–decoder translation model, optionally with the
 * embeddings of the new language, and freeze everything else.
 *
 * What the reference code trains (MGheini/xattn-transfer-for-mt at commit
 * bf86b0234b64701d54b40fe6acebc1c6342e6d0f, fairseq-modified/fairseq_cli/train.py,
 * `--only-finetune-cross-attn`): every parameter whose name contains `encoder_attn`, which in
 * fairseq's TransformerDecoderLayer is the cross-attention's q/k/v/out projections with their
 * biases and the sublayer's own LayerNorm `encoder_attn_layer_norm` (gain and bias), plus the new
 * language's embedding layer (`embed_tokens`, `embed_positions`, `layernorm_embedding`; on the
 * target side also `output_projection`, which the scripts tie to the target embeddings).
 *
 * Here: `attention` picks which attention (cross-attention where the model has one, the paper's
 * case; self-attention on decoder-only and encoder-only models, which have none: our choice, not
 * the paper's), `norm` whether each tuned attention sublayer's norm trains too (as the reference
 * code's name filter does), `embeddings` whether the embedding layer trains too (the paper's new
 * language: token table, learned positions, token types and embedding LayerNorm; a tied LM head
 * trains with the table, an untied one stays frozen).
 */

type Kind = 'self' | 'cross';
const SELF_ROLES: readonly LinearRole[] = ['attn.q', 'attn.k', 'attn.v', 'attn.qkv', 'attn.o'];
const CROSS_ROLES: readonly LinearRole[] = ['cross.q', 'cross.k', 'cross.v', 'cross.o'];

const hasCross = (arch: Architecture) => arch.stacks.some((s) => s.crossAttention !== null);

/** The attention kinds a setting tunes on this model. */
export function attentionKinds(arch: Architecture, attention: string): Kind[] {
  switch (attention) {
    case 'cross':
      return ['cross'];
    case 'self':
      return ['self'];
    case 'both':
      return hasCross(arch) ? ['self', 'cross'] : ['self'];
    default: // 'auto'
      return hasCross(arch) ? ['cross'] : ['self'];
  }
}

function attentionLinears(stack: Stack, kinds: readonly Kind[]): LinearMap[] {
  const roles = [...(kinds.includes('self') ? SELF_ROLES : []), ...(kinds.includes('cross') && stack.crossAttention ? CROSS_ROLES : [])];
  return stack.linears.filter((l) => roles.includes(l.role));
}

const isPerHead = (n: Norm) => /(^|\.)[qk]_norm$/.test(n.name);

/**
 * The indices in `stack.norms` of the norms that belong to the tuned attention sublayers. Self-
 * attention: the first norm (before attention in a pre-norm block, after it in BERT's post-norm
 * one), the per-head query and key norms inside attention (Qwen3, Gemma 3), and in a sandwich-norm
 * block (Gemma 2 and 3: four norms) also the second, which normalises the attention output.
 * Cross-attention (a T5 decoder block: self, cross, FFN): the middle norm.
 */
export function attentionNormIndices(stack: Stack, kinds: readonly Kind[]): number[] {
  const plain = stack.norms.map((n, i) => ({ n, i })).filter(({ n }) => !isPerHead(n));
  const indices: number[] = [];
  if (kinds.includes('self')) {
    if (plain[0]) indices.push(plain[0].i);
    if (plain.length === 4) indices.push(plain[1]!.i);
    stack.norms.forEach((n, i) => isPerHead(n) && indices.push(i));
  }
  if (kinds.includes('cross') && stack.crossAttention && plain.length === 3) indices.push(plain[1]!.i);
  return [...new Set(indices)].sort((a, b) => a - b);
}

/** The embedding layer's tensors: token table, learned positions, and the extras of an embedding
 * module (BERT's token types and embedding LayerNorm, BLOOM's word_embeddings_layernorm). */
function embeddingTensors(arch: Architecture): TensorGroup[] {
  const groups: TensorGroup[] = [{ shape: [arch.vocabSize, embeddingWidth(arch)], count: 1 }];
  if (arch.learnedPositions > 0) groups.push({ shape: [arch.learnedPositions, arch.hiddenSize], count: 1 });
  for (const e of arch.extraParams) {
    if (e.count === 0 || !/^(embeddings\.|word_embeddings_layernorm$)/.test(e.name)) continue;
    if (e.biases) groups.push({ shape: [e.biases], count: e.count / e.biases });
    else groups.push({ shape: [e.count], count: 1 });
  }
  return groups;
}

function profileOf(arch: Architecture, attention: string, norm: string, embeddings: string) {
  const kinds = attentionKinds(arch, attention);
  const tensors: TensorGroup[] = [];
  let matmul = 0;
  for (const s of arch.stacks) {
    for (const l of attentionLinears(s, kinds)) {
      tensors.push({ shape: [l.inFeatures, l.outFeatures], count: s.layers });
      if (l.bias) tensors.push({ shape: [l.outFeatures], count: s.layers });
      matmul += s.layers * l.inFeatures * l.outFeatures;
    }
    if (norm === 'yes') {
      for (const i of attentionNormIndices(s, kinds)) {
        const n = s.norms[i]!;
        tensors.push({ shape: [n.size], count: s.layers * (n.bias ? 2 : 1) });
      }
    }
  }
  if (embeddings === 'trained') {
    tensors.push(...embeddingTensors(arch));
    // A tied table is also the LM head, a matrix every token is multiplied by.
    if (arch.tiedEmbeddings) matmul += arch.vocabSize * embeddingWidth(arch);
  }
  return { tensors, trainableInBase: groupsSize(tensors), baseMatmulTrainable: matmul };
}

function anatomyOf(arch: Architecture, attention: string, norm: string, embeddings: string): Attachment[] {
  const kinds = attentionKinds(arch, attention);
  const which = kinds.length === 2 ? 'self- and cross-attention' : kinds[0] === 'cross' ? 'cross-attention' : 'self-attention';
  const maps: BlockPart[] = [];
  const norms: BlockPart[] = [];
  let biases = false;
  for (const s of arch.stacks) {
    for (const l of attentionLinears(s, kinds)) {
      maps.push(...ROLE_PARTS[l.role]);
      biases ||= l.bias;
    }
    if (norm === 'yes') for (const i of attentionNormIndices(s, kinds)) norms.push(normPart(s, i));
  }
  const out: Attachment[] = [];
  if (embeddings === 'trained') out.push({ part: 'embedding', kind: 'trained', note: "embedding layer (the paper's new language)" });
  for (const part of inBlockOrder(norms)) out.push({ part, kind: 'trained', note: 'norm of the tuned attention sublayer' });
  for (const part of inBlockOrder(maps)) out.push({ part, kind: 'trained', note: `${which} weights${biases ? ' and biases' : ''}` });
  if (embeddings === 'trained' && arch.tiedEmbeddings) out.push({ part: 'head', kind: 'trained', note: 'tied to the trained token embeddings' });
  return out;
}

export const attentionTuning = defineMethod({
  id: 'attention-tuning',
  name: 'Attention Tuning',
  hyperparams: [
    {
      key: 'attention',
      label: 'Attention',
      help: 'Which attention trains. The paper tunes the cross-attention of an encoder–decoder model; a decoder-only or encoder-only model has none, so "auto" tunes its self-attention instead.',
      kind: 'choice',
      options: [
        { value: 'auto', label: 'Cross-attention, or self-attention where there is none' },
        { value: 'cross', label: 'Cross-attention (encoder–decoder models)' },
        { value: 'self', label: 'Self-attention' },
        { value: 'both', label: 'Self- and cross-attention' },
      ],
      default: 'auto',
    },
    {
      key: 'norm',
      label: 'Sublayer norm',
      help: "Also train the norm of each tuned attention sublayer, as the reference code does (its filter on `encoder_attn` includes encoder_attn_layer_norm).",
      kind: 'choice',
      options: [
        { value: 'yes', label: 'Trained (reference code)' },
        { value: 'no', label: 'Frozen' },
      ],
      default: 'yes',
    },
    {
      key: 'embeddings',
      label: 'Embeddings',
      help: "Also train the embedding layer (token table, learned positions, an embedding LayerNorm), as the paper does for the new language's vocabulary. A tied LM head trains with it.",
      kind: 'choice',
      options: [
        { value: 'frozen', label: 'Frozen' },
        { value: 'trained', label: "Trained (the paper's new-language setting)" },
      ],
      default: 'frozen',
    },
  ],
  toyLearningRate: 3e-3,
  traits: { backpropThroughBackbone: true, inference: 'unchanged' },
  lineage: [],
  anatomy: (arch, { attention, norm, embeddings }) => anatomyOf(arch, attention, norm, embeddings),
  notApplicable: (arch, { attention }) =>
    attention === 'cross' && !hasCross(arch) ? `Attention Tuning's cross-attention setting needs an encoder–decoder model, and ${arch.name} has no cross-attention.` : null,
  profile: (arch, { attention, norm, embeddings }) => profileOf(arch, attention, norm, embeddings),
  apply(model, { attention, norm, embeddings }) {
    const stack = model.arch.stacks[0]!;
    const kinds = attentionKinds(model.arch, attention);
    const names = new Set<string>();
    for (let i = 0; i < stack.layers; i++) {
      for (const l of attentionLinears(stack, kinds)) {
        names.add(`h.${i}.${l.name}.weight`);
        if (l.bias) names.add(`h.${i}.${l.name}.bias`);
      }
      if (norm === 'yes') {
        for (const j of attentionNormIndices(stack, kinds)) {
          const n = stack.norms[j]!;
          names.add(`h.${i}.${n.name}.weight`);
          if (n.bias) names.add(`h.${i}.${n.name}.bias`);
        }
      }
    }
    if (embeddings === 'trained') {
      names.add('wte');
      if (model.arch.learnedPositions > 0) names.add('wpe');
    }
    const trainable = [...model.weights].filter(([name]) => names.has(name)).map(([, v]) => v);
    if (trainable.length !== names.size) throw new Error(`the toy model lacks some of ${[...names].join(', ')}`);
    return { trainable, hooks: {}, dispose: () => {} };
  },
});
