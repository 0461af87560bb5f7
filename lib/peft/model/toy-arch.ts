import type { Architecture, LinearMap, Norm } from '../arch';
import { VOCAB } from './tokenizer';

/**
 * The toy model's size and its description as an Architecture, kept free of TensorFlow.js so
 * pages and calculators can use them without loading it.
 */

export interface ToyDims {
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  ffnSize: number;
  context: number;
}

export const TOY_DIMS: ToyDims = { vocabSize: VOCAB.length, hiddenSize: 64, layers: 2, heads: 4, ffnSize: 256, context: 32 };

export const ATTENTION_MAPS = ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const;
export const MLP_MAPS = ['fc1', 'fc2'] as const;

export function toyArchitecture(d: ToyDims = TOY_DIMS): Architecture {
  const h = d.hiddenSize;
  // `path` is the map's place in a Hugging Face-style block (self_attn.q_proj, mlp.fc1), which method
  // targets match; `name`, its leaf, names the toy's weights (`h.0.q_proj.weight`).
  const lin = (path: string, role: LinearMap['role'], inF: number, outF: number): LinearMap => ({
    name: path.slice(path.lastIndexOf('.') + 1),
    path,
    role,
    inFeatures: inF,
    outFeatures: outF,
    bias: true,
  });
  const norm = (name: string): Norm => ({ name, kind: 'layernorm', size: h, bias: true });
  return {
    id: 'peft-atlas/toy',
    name: 'Toy transformer',
    family: 'toy',
    hiddenSize: h,
    vocabSize: d.vocabSize,
    learnedPositions: d.context,
    tiedEmbeddings: true,
    lmHeadBias: false,
    stacks: [
      {
        kind: 'decoder',
        layers: d.layers,
        attention: { heads: d.heads, kvHeads: d.heads, headDim: h / d.heads },
        crossAttention: null,
        linears: [
          lin('self_attn.q_proj', 'attn.q', h, h),
          lin('self_attn.k_proj', 'attn.k', h, h),
          lin('self_attn.v_proj', 'attn.v', h, h),
          lin('self_attn.o_proj', 'attn.o', h, h),
          lin('mlp.fc1', 'mlp.in', h, d.ffnSize),
          lin('mlp.fc2', 'mlp.out', d.ffnSize, h),
        ],
        norms: [norm('ln_1'), norm('ln_2')],
        finalNorm: norm('ln_f'),
        extraParams: 0,
      },
    ],
    extraParams: [],
  };
}

/** Names of the model's weights, e.g. `h.0.q_proj.weight`; the order is the serialised order. */
export function weightShapes(d: ToyDims): Map<string, number[]> {
  const arch = toyArchitecture(d);
  const stack = arch.stacks[0];
  if (!stack) throw new Error('the toy architecture has one stack');
  const shapes = new Map<string, number[]>([
    ['wte', [d.vocabSize, d.hiddenSize]],
    ['wpe', [d.context, d.hiddenSize]],
  ]);
  for (let i = 0; i < d.layers; i++) {
    for (const n of stack.norms) {
      shapes.set(`h.${i}.${n.name}.weight`, [n.size]);
      shapes.set(`h.${i}.${n.name}.bias`, [n.size]);
    }
    for (const l of stack.linears) {
      shapes.set(`h.${i}.${l.name}.weight`, [l.inFeatures, l.outFeatures]);
      shapes.set(`h.${i}.${l.name}.bias`, [l.outFeatures]);
    }
  }
  shapes.set('ln_f.weight', [d.hiddenSize]);
  shapes.set('ln_f.bias', [d.hiddenSize]);
  return shapes;
}
