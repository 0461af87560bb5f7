import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linearPaths, totalParams } from './arch';
import { architectureFromHfConfig, decodeArchitectureParam, encodeArchitectureParam, parseHfConfig, parseHfConfigText, SUPPORTED_MODEL_TYPES } from './hf-config';
import { MODELS } from './models';

const DIR = join(__dirname, 'testing', 'hf-configs');
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ id: f.slice(0, -'.json'.length).replace('--', '/'), config: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Record<string, unknown> }));
const fixture = (id: string) => {
  const found = FIXTURES.find((f) => f.id === id);
  if (!found) throw new Error(`no fixture ${id}`);
  return found.config;
};

describe('architectureFromHfConfig on the listed models', () => {
  const listed = FIXTURES.filter((f) => MODELS.some((m) => m.id === f.id));

  it('has a config.json fixture for every listed model and every supported family', () => {
    expect(listed.map((f) => f.id).sort()).toEqual(MODELS.map((m) => m.id).sort());
    const types = new Set(FIXTURES.map((f) => f.config.model_type));
    expect([...types].sort()).toEqual([...SUPPORTED_MODEL_TYPES].sort());
  });

  it.each(listed.map((f) => [f.id, f.config] as const))('%s: same architecture and total as models.json', (id, config) => {
    const listedModel = MODELS.find((m) => m.id === id)!;
    const parsed = architectureFromHfConfig(config, { id });
    expect(totalParams(parsed.arch)).toBe(listedModel.publishedTotal);
    expect(parsed.publishedTotal).toBe(listedModel.publishedTotal);
    expect({ ...parsed.arch, name: listedModel.name }).toEqual(listedModel.arch);
    expect(parsed.activation).toBe(listedModel.activation);
  });
});

describe('architectureFromHfConfig on other models', () => {
  // Totals HF transformers 5.18 gives for these fixtures (SOURCES.md beside them).
  const cases: [string, number][] = [
    ['Qwen/Qwen3-30B-A3B', 30_532_122_624],
    ['Qwen/Qwen1.5-MoE-A2.7B', 14_315_784_192],
    ['google/umt5-small', 306_601_984],
    ['EleutherAI/pythia-160m', 162_322_944],
    ['tiiuae/falcon-7b', 6_921_720_704],
    ['tiiuae/falcon-40b', 41_303_293_952],
    ['google/gemma-3-4b-pt', 3_880_263_168],
    ['google/gemma-7b', 8_537_680_896],
  ];
  it.each(cases)('%s: %d parameters', (id, total) => {
    expect(architectureFromHfConfig(fixture(id), { id }).publishedTotal).toBe(total);
  });

  it('lists every expert of a mixture with its share of tokens, and the router', () => {
    const mixtral = architectureFromHfConfig(fixture('mistralai/Mixtral-8x7B-v0.1')).arch.stacks[0]!;
    const experts = mixtral.linears.filter((l) => l.path.startsWith('block_sparse_moe.experts.'));
    expect(experts).toHaveLength(8 * 3);
    expect(experts.filter((l) => l.name === 'w1').map((l) => l.path)).toEqual(Array.from({ length: 8 }, (_, i) => `block_sparse_moe.experts.${i}.w1`));
    expect(experts.every((l) => l.activeShare === 2 / 8)).toBe(true);
    expect(mixtral.linears.find((l) => l.role === 'mlp.router')).toEqual({ name: 'gate', path: 'block_sparse_moe.gate', role: 'mlp.router', inFeatures: 4096, outFeatures: 8, bias: false });
    const qwenMoe = architectureFromHfConfig(fixture('Qwen/Qwen1.5-MoE-A2.7B')).arch.stacks[0]!;
    expect(qwenMoe.linears.filter((l) => l.path.startsWith('mlp.shared_expert.')).map((l) => [l.name, l.outFeatures, l.activeShare])).toEqual([
      ['gate_proj', 5632, undefined],
      ['up_proj', 5632, undefined],
      ['down_proj', 2048, undefined],
    ]);
    expect(qwenMoe.linears.filter((l) => l.role === 'mlp.router').map((l) => [l.path, l.outFeatures])).toEqual([
      ['mlp.gate', 60],
      ['mlp.shared_expert_gate', 1],
    ]);
  });

  it('reads the count-changing details', () => {
    // Phi-3: fused qkv_proj and gate_up_proj.
    const phi = architectureFromHfConfig(fixture('microsoft/Phi-3-mini-4k-instruct')).arch;
    expect(linearPaths(phi)).toEqual(['self_attn.qkv_proj', 'self_attn.o_proj', 'mlp.gate_up_proj', 'mlp.down_proj']);
    expect(phi.stacks[0]!.linears.map((l) => l.outFeatures)).toEqual([3 * 3072, 3072, 2 * 8192, 3072]);
    // Qwen3: explicit head_dim and per-head q_norm/k_norm after the input norm.
    const qwen3 = architectureFromHfConfig(fixture('Qwen/Qwen3-0.6B')).arch.stacks[0]!;
    expect(qwen3.norms.map((n) => [n.name, n.size])).toEqual([
      ['input_layernorm', 1024],
      ['self_attn.q_norm', 128],
      ['self_attn.k_norm', 128],
      ['post_attention_layernorm', 1024],
    ]);
    expect(qwen3.linears.find((l) => l.name === 'q_proj')?.outFeatures).toBe(16 * 128);
    // UMT5: a relative bias table in every layer of each stack; T5: in the first only.
    expect(architectureFromHfConfig(fixture('google/umt5-small')).arch.stacks.map((s) => s.extraParams)).toEqual([8 * 32 * 6, 8 * 32 * 6]);
    expect(architectureFromHfConfig(fixture('t5-small')).arch.stacks.map((s) => s.extraParams)).toEqual([32 * 8, 32 * 8]);
    // Falcon: multi-query (one key/value head, one norm) vs the new architecture (grouped, two norms).
    const f7 = architectureFromHfConfig(fixture('tiiuae/falcon-7b')).arch.stacks[0]!;
    expect([f7.attention.kvHeads, f7.linears[0]!.outFeatures, f7.norms.map((n) => n.name)]).toEqual([1, 4544 + 2 * 64, ['input_layernorm']]);
    const f40 = architectureFromHfConfig(fixture('tiiuae/falcon-40b')).arch.stacks[0]!;
    expect([f40.attention.kvHeads, f40.norms.map((n) => n.name)]).toEqual([8, ['ln_attn', 'ln_mlp']]);
    // Tied or not, by each type's default when the config is silent.
    expect(architectureFromHfConfig(fixture('google/gemma-7b')).arch.tiedEmbeddings).toBe(true);
    expect(architectureFromHfConfig(fixture('EleutherAI/pythia-160m')).arch.tiedEmbeddings).toBe(false);
    expect(architectureFromHfConfig({ ...fixture('gpt2'), tie_word_embeddings: false }).publishedTotal).toBe(124_439_808 + 50257 * 768);
    // Llama's attention_bias and mlp_bias.
    const biased = architectureFromHfConfig({ ...fixture('meta-llama/Llama-3.2-1B'), attention_bias: true, mlp_bias: true }).arch.stacks[0]!;
    expect(biased.linears.every((l) => l.bias)).toBe(true);
    // DeBERTa-v3: relative embeddings (2 × position_buckets rows) and their norm; no pooler.
    expect(architectureFromHfConfig(fixture('microsoft/deberta-v3-base')).arch.extraParams.map((e) => [e.name, e.count])).toEqual([
      ['embeddings.LayerNorm', 2 * 768],
      ['encoder.rel_embeddings', 512 * 768],
      ['encoder.LayerNorm', 2 * 768],
    ]);
  });

  it("names the modules outside the blocks as the family's transformers code does", () => {
    const names = (id: string) => architectureFromHfConfig(fixture(id)).arch.moduleNames;
    expect(names('meta-llama/Llama-2-7b-hf')).toEqual({ embedding: 'embed_tokens', lmHead: 'lm_head', classifier: 'score' });
    expect(names('gpt2')).toEqual({ embedding: 'wte', lmHead: 'lm_head', classifier: 'score' });
    expect(names('t5-small')).toEqual({ embedding: 'shared', lmHead: 'lm_head', classifier: 'classification_head' });
    expect(names('EleutherAI/pythia-160m')).toEqual({ embedding: 'embed_in', lmHead: 'embed_out', classifier: 'score' });
    expect(names('bert-base-uncased')?.classifier).toBe('classifier');
    expect(MODELS.every((m) => m.arch.moduleNames !== undefined)).toBe(true);
  });
});

describe('architectureFromHfConfig errors', () => {
  const error = (json: unknown) => {
    const r = parseHfConfig(json);
    if (!('error' in r)) throw new Error('expected an error');
    return r.error;
  };
  it('names the field, in one sentence', () => {
    expect(error({ ...fixture('meta-llama/Llama-2-7b-hf'), num_key_value_heads: 3 })).toBe('config.json: "num_key_value_heads" (3) must divide "num_attention_heads" (32)');
    const missing = { ...fixture('meta-llama/Llama-2-7b-hf') };
    delete missing.intermediate_size;
    expect(error(missing)).toBe('config.json: "intermediate_size" is missing');
    expect(error({ ...fixture('gpt2'), n_layer: 0 })).toBe('config.json: "n_layer" must be a positive whole number, not "0"');
    expect(error({ ...fixture('gpt2'), n_layer: 1.5 })).toMatch(/^config\.json: "n_layer" must be a positive whole number/);
    expect(error({ ...fixture('gpt2'), n_head: 7 })).toBe('config.json: "n_head" (7) must divide "n_embd" (768)');
    expect(error({ ...fixture('Qwen/Qwen3-30B-A3B'), mlp_only_layers: [0] })).toMatch(/^config\.json: "mlp_only_layers" mixes dense and expert layers/);
    expect(error({ ...fixture('google/gemma-3-4b-pt'), text_config: { num_hidden_layers: -1 } })).toMatch(/^config\.json: "text_config\.num_hidden_layers" must be/);
    expect(error([])).toMatch(/^config\.json must be a JSON object/);
    for (const e of [error({ model_type: 'llama' }), error({ ...fixture('t5-small'), feed_forward_proj: 'gelu-gated' })]) expect(e).not.toMatch(/\n/);
  });

  it('lists the supported model types for an unknown one', () => {
    expect(error({ model_type: 'mamba' })).toBe(`config.json: "model_type" "mamba" is not supported; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`);
    expect(error({ hidden_size: 8 })).toMatch(/^config\.json: "model_type" is missing/);
    expect(parseHfConfigText('{not json')).toEqual({ error: 'config.json is not valid JSON' });
  });
});

describe('the shareable form', () => {
  it.each(FIXTURES.map((f) => [f.id, f.config] as const))('%s: round-trips through a short URL-safe text', (id, config) => {
    const model = architectureFromHfConfig({ ...config, dropout: 0.1, architectures: ['X'] }, { id });
    const text = encodeArchitectureParam(model);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text.length).toBeLessThan(700);
    const back = decodeArchitectureParam(text);
    if (!('model' in back)) throw new Error(back.error);
    expect(back.model.id).toBe(id);
    expect(back.model.arch).toEqual(model.arch);
    expect(back.model.publishedTotal).toBe(model.publishedTotal);
  });

  it('refuses a listed model and a damaged link', () => {
    expect(() => encodeArchitectureParam(MODELS[0]!)).toThrow(RangeError);
    expect(decodeArchitectureParam('%%%')).toEqual({ error: 'the architecture in the link is not valid base64url' });
    expect(decodeArchitectureParam('bm90IGpzb24')).toEqual({ error: 'the architecture in the link is not valid JSON' });
    expect(decodeArchitectureParam('x'.repeat(5000))).toEqual({ error: expect.stringMatching(/longer than/) });
    const tampered = encodeArchitectureParam(architectureFromHfConfig(fixture('gpt2'))).slice(0, -4);
    expect('error' in decodeArchitectureParam(tampered)).toBe(true);
  });
});
