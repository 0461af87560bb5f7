import type { Architecture, LinearMap, LinearRole, Norm, Stack } from '../arch';

/**
 * Architectures of published models, built here from their configs so the cost model's tests and
 * the comparison table on /about/cost-model/ do not depend on lib/peft/models.ts. Parameter
 * totals are checked in memory.test.ts against the counts the model cards and papers give.
 */

/** A linear map by its block path, as models.json gives it; the leaf name is its last part. */
const lin = (path: string, role: LinearRole, inFeatures: number, outFeatures: number, bias: boolean): LinearMap => ({
  name: path.split('.').pop() ?? path,
  path,
  role,
  inFeatures,
  outFeatures,
  bias,
});
const layerNorm = (name: string, size: number): Norm => ({ name, kind: 'layernorm', size, bias: true });
const rmsNorm = (name: string, size: number): Norm => ({ name, kind: 'rmsnorm', size, bias: false });

/** A LLaMA-style decoder: RMSNorm, rotary positions, SwiGLU MLP, no biases, untied head. */
function llama(id: string, name: string, h: number, layers: number, heads: number, ffn: number, vocab: number): Architecture {
  const stack: Stack = {
    kind: 'decoder',
    layers,
    attention: { heads, kvHeads: heads, headDim: h / heads },
    crossAttention: null,
    linears: [
      lin('self_attn.q_proj', 'attn.q', h, h, false),
      lin('self_attn.k_proj', 'attn.k', h, h, false),
      lin('self_attn.v_proj', 'attn.v', h, h, false),
      lin('self_attn.o_proj', 'attn.o', h, h, false),
      lin('mlp.gate_proj', 'mlp.gate', h, ffn, false),
      lin('mlp.up_proj', 'mlp.in', h, ffn, false),
      lin('mlp.down_proj', 'mlp.out', ffn, h, false),
    ],
    norms: [rmsNorm('input_layernorm', h), rmsNorm('post_attention_layernorm', h)],
    finalNorm: rmsNorm('norm', h),
    extraParams: 0,
  };
  return { id, name, family: 'llama', hiddenSize: h, vocabSize: vocab, learnedPositions: 0, tiedEmbeddings: false, lmHeadBias: false, stacks: [stack], extraParams: [] };
}

/** Llama 2 7B (config: hidden 4096, 32 layers, 32 heads, intermediate 11008, vocab 32000). */
export const LLAMA2_7B = llama('test/llama-2-7b', 'Llama-2-7B-like', 4096, 32, 32, 11008, 32000);

/** LLaMA 65B (Touvron et al., 2023: dimension 8192, 64 heads, 80 layers; FFN 22016). */
export const LLAMA_65B = llama('test/llama-65b', 'LLaMA-65B-like', 8192, 80, 64, 22016, 32000);

/** A GPT-2/GPT-3-style decoder: pre-LayerNorm, learned positions, GELU MLP of 4h, biases, tied head. */
function gpt(id: string, name: string, h: number, layers: number, heads: number, vocab: number, positions: number): Architecture {
  const stack: Stack = {
    kind: 'decoder',
    layers,
    attention: { heads, kvHeads: heads, headDim: h / heads },
    crossAttention: null,
    linears: [
      lin('attn.q_proj', 'attn.q', h, h, true),
      lin('attn.k_proj', 'attn.k', h, h, true),
      lin('attn.v_proj', 'attn.v', h, h, true),
      lin('attn.out_proj', 'attn.o', h, h, true),
      lin('mlp.fc_in', 'mlp.in', h, 4 * h, true),
      lin('mlp.fc_out', 'mlp.out', 4 * h, h, true),
    ],
    norms: [layerNorm('ln_1', h), layerNorm('ln_2', h)],
    finalNorm: layerNorm('ln_f', h),
    extraParams: 0,
  };
  return { id, name, family: 'gpt', hiddenSize: h, vocabSize: vocab, learnedPositions: positions, tiedEmbeddings: true, lmHeadBias: false, stacks: [stack], extraParams: [] };
}

/** GPT-2 XL, the 1.5B model of the ZeRO paper (n_embd 1600, 48 layers, 25 heads, context 1024). */
export const GPT2_XL = gpt('test/gpt2-xl', 'GPT-2 XL-like', 1600, 48, 25, 50257, 1024);

/** GPT-3 175B (Brown et al., 2020: d_model 12288, 96 layers, 96 heads, context 2048). */
export const GPT3_175B = gpt('test/gpt3-175b', 'GPT-3 175B-like', 12288, 96, 96, 50257, 2048);

/** bert-large-uncased with a two-class head, as AutoModelForSequenceClassification builds it. */
export const BERT_LARGE_CLS: Architecture = {
  id: 'test/bert-large-uncased-cls',
  family: 'bert',
  name: 'BERT-large (sequence classification)',
  hiddenSize: 1024,
  vocabSize: 30522,
  learnedPositions: 512,
  tiedEmbeddings: true,
  lmHeadBias: false,
  stacks: [
    {
      kind: 'encoder',
      layers: 24,
      attention: { heads: 16, kvHeads: 16, headDim: 64 },
      crossAttention: null,
      linears: [
        lin('attention.self.query', 'attn.q', 1024, 1024, true),
        lin('attention.self.key', 'attn.k', 1024, 1024, true),
        lin('attention.self.value', 'attn.v', 1024, 1024, true),
        lin('attention.output.dense', 'attn.o', 1024, 1024, true),
        lin('intermediate.dense', 'mlp.in', 1024, 4096, true),
        lin('output.dense', 'mlp.out', 4096, 1024, true),
      ],
      norms: [layerNorm('attention.output.LayerNorm', 1024), layerNorm('output.LayerNorm', 1024)],
      finalNorm: null,
      extraParams: 0,
    },
  ],
  extraParams: [
    { name: 'token type embeddings', count: 2 * 1024 },
    { name: 'embedding LayerNorm', count: 2 * 1024 },
    { name: 'pooler', count: 1024 * 1024 + 1024 },
    { name: 'classifier', count: 1024 * 2 + 2 },
  ],
};

/** bigscience/T0_3B, a T5 v1.1 XL (LM-adapted): d_model 2048, d_kv 64, 32 heads, d_ff 5120 with
 * gated GELU, 24 + 24 layers, vocab 32128, untied head, relative-position tables in each stack. */
export const T0_3B: Architecture = (() => {
  const h = 2048;
  const attention = { heads: 32, kvHeads: 32, headDim: 64 };
  const self = [lin('SelfAttention.q', 'attn.q', h, h, false), lin('SelfAttention.k', 'attn.k', h, h, false), lin('SelfAttention.v', 'attn.v', h, h, false), lin('SelfAttention.o', 'attn.o', h, h, false)];
  const cross = [lin('EncDecAttention.q', 'cross.q', h, h, false), lin('EncDecAttention.k', 'cross.k', h, h, false), lin('EncDecAttention.v', 'cross.v', h, h, false), lin('EncDecAttention.o', 'cross.o', h, h, false)];
  const mlp = [lin('DenseReluDense.wi_0', 'mlp.gate', h, 5120, false), lin('DenseReluDense.wi_1', 'mlp.in', h, 5120, false), lin('DenseReluDense.wo', 'mlp.out', 5120, h, false)];
  const norm = (n: string) => rmsNorm(n, h);
  return {
    id: 'test/t0-3b',
    family: 't5',
    name: 'T0 3B-like',
    hiddenSize: h,
    vocabSize: 32128,
    learnedPositions: 0,
    tiedEmbeddings: false,
    lmHeadBias: false,
    stacks: [
      { kind: 'encoder', layers: 24, attention, crossAttention: null, linears: [...self, ...mlp], norms: [norm('layer.0.layer_norm'), norm('layer.1.layer_norm')], finalNorm: norm('final_layer_norm'), extraParams: 32 * 32 },
      {
        kind: 'decoder',
        layers: 24,
        attention,
        crossAttention: attention,
        linears: [...self, ...cross, ...mlp],
        norms: [norm('layer.0.layer_norm'), norm('layer.1.layer_norm'), norm('layer.2.layer_norm')],
        finalNorm: norm('final_layer_norm'),
        extraParams: 32 * 32,
      },
    ],
    extraParams: [],
  };
})();
