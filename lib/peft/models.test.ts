import { describe, expect, it } from 'vitest';
import raw from '@/content/data/models.json';
import { ContentError } from '@/lib/content/validate';
import { linearPaths, matchingLinears, totalParams, type Architecture } from './arch';
import { findModel, lookupModel, MODEL_CHOICES, MODELS, MODELS_FILE } from './models';
import { parseModels } from './models-schema';

/** LoRA's trainable count straight from the architecture: r × (in + out) per targeted map, per layer. */
function loraParams(arch: Architecture, targets: readonly string[], r: number): number {
  return arch.stacks.reduce(
    (sum, s) => sum + s.layers * matchingLinears(s, targets).reduce((acc, l) => acc + r * (l.inFeatures + l.outFeatures), 0),
    0,
  );
}

const REQUIRED = [
  't5-small',
  't5-base',
  't5-large',
  't5-3b',
  't5-11b',
  'google/flan-t5-small',
  'google/flan-t5-base',
  'google/flan-t5-large',
  'google/flan-t5-xl',
  'google/flan-t5-xxl',
  'bigscience/mt0-large',
  'gpt2',
  'gpt2-medium',
  'gpt2-large',
  'gpt2-xl',
  'bert-base-uncased',
  'bert-large-uncased',
  'roberta-base',
  'roberta-large',
  'facebook/opt-125m',
  'facebook/opt-350m',
  'facebook/opt-1.3b',
  'facebook/opt-6.7b',
  'bigscience/bloom-560m',
  'bigscience/bloomz-560m',
  'bigscience/bloom-7b1',
  'meta-llama/Llama-2-7b-hf',
  'meta-llama/Llama-2-13b-hf',
  'meta-llama/Llama-2-70b-hf',
  'meta-llama/Meta-Llama-3-8B',
  'meta-llama/Llama-3.1-8B',
  'meta-llama/Llama-3.1-70B',
  'meta-llama/Llama-3.2-1B',
  'meta-llama/Llama-3.2-3B',
  'mistralai/Mistral-7B-v0.1',
  'Qwen/Qwen2.5-0.5B',
  'Qwen/Qwen2.5-1.5B',
  'Qwen/Qwen2.5-3B',
  'Qwen/Qwen2.5-7B',
  'google/gemma-2-2b',
  'google/gemma-2-9b',
  'meta-llama/Llama-3.3-70B-Instruct',
  'Qwen/Qwen3-0.6B',
  'Qwen/Qwen3-8B',
  'google/gemma-3-1b-pt',
  'microsoft/Phi-3-mini-4k-instruct',
  'microsoft/phi-4',
  'mistralai/Mixtral-8x7B-v0.1',
  'microsoft/deberta-v3-base',
  'microsoft/deberta-v3-large',
];

describe('models dataset', () => {
  it('covers the models the calculators need, once each', () => {
    const ids = MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(REQUIRED));
  });

  it.each(MODELS.map((m) => [m.id, m] as const))('%s: the architecture adds up to the published total', (_id, m) => {
    expect(totalParams(m.arch)).toBe(m.publishedTotal);
    expect(m.arch.id).toBe(m.id);
    expect(m.source).toMatch(/^https:\/\//);
    expect(m.totalSource.length).toBeGreaterThan(10);
  });

  it('uses the survey totals for T5-Large, T5-3B and T5-11B', () => {
    expect(findModel('t5-large').publishedTotal).toBe(737_668_096);
    expect(findModel('t5-3b').publishedTotal).toBe(2_851_598_336);
    expect(findModel('t5-11b').publishedTotal).toBe(11_307_321_344);
  });

  it('describes Llama-2-7B: 32 layers, q_proj 4096→4096 without bias', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(arch.stacks).toHaveLength(1);
    const stack = arch.stacks[0];
    expect(stack?.layers).toBe(32);
    expect(stack?.linears.find((l) => l.name === 'q_proj')).toEqual({ name: 'q_proj', path: 'self_attn.q_proj', role: 'attn.q', inFeatures: 4096, outFeatures: 4096, bias: false });
    expect(linearPaths(arch)).toEqual(['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']);
    expect(arch.family).toBe('llama');
    expect(stack?.norms.every((n) => n.kind === 'rmsnorm' && !n.bias)).toBe(true);
  });

  it('describes GPT-2: fused c_attn 768→2304 with bias, two c_proj maps, tied head', () => {
    const arch = findModel('gpt2').arch;
    const linears = arch.stacks[0]?.linears ?? [];
    expect(linears.find((l) => l.name === 'c_attn')).toEqual({ name: 'c_attn', path: 'attn.c_attn', role: 'attn.qkv', inFeatures: 768, outFeatures: 2304, bias: true });
    expect(linears.filter((l) => l.name === 'c_proj').map((l) => [l.path, l.role, l.inFeatures, l.outFeatures])).toEqual([
      ['attn.c_proj', 'attn.o', 768, 768],
      ['mlp.c_proj', 'mlp.out', 3072, 768],
    ]);
    expect(linearPaths(arch)).toEqual(['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj']);
    expect(arch.tiedEmbeddings).toBe(true);
    expect(arch.lmHeadBias).toBe(false);
    expect(arch.learnedPositions).toBe(1024);
  });

  it("describes T5-Large: cross-attention maps named q, k, v, o in the decoder only, relative bias once per stack", () => {
    const arch = findModel('t5-large').arch;
    const [encoder, decoder] = arch.stacks;
    expect(encoder?.kind).toBe('encoder');
    expect(decoder?.kind).toBe('decoder');
    expect(encoder?.crossAttention).toBeNull();
    expect(decoder?.crossAttention).toEqual({ heads: 16, kvHeads: 16, headDim: 64 });
    const cross = decoder?.linears.filter((l) => l.role.startsWith('cross.')) ?? [];
    expect(cross.map((l) => l.name)).toEqual(['q', 'k', 'v', 'o']);
    expect(cross.map((l) => l.path)).toEqual(['EncDecAttention.q', 'EncDecAttention.k', 'EncDecAttention.v', 'EncDecAttention.o']);
    expect(encoder?.linears.map((l) => l.path)).toEqual(['SelfAttention.q', 'SelfAttention.k', 'SelfAttention.v', 'SelfAttention.o', 'DenseReluDense.wi', 'DenseReluDense.wo']);
    expect(encoder?.linears.some((l) => l.role.startsWith('cross.'))).toBe(false);
    expect(encoder?.extraParams).toBe(32 * 16);
    expect(decoder?.extraParams).toBe(32 * 16);
    expect(decoder?.norms).toHaveLength(3);
    expect(decoder?.norms.every((n) => n.kind === 'rmsnorm' && !n.bias)).toBe(true);
  });

  it('gives gated T5 variants wi_0, wi_1 and wo, and T5-3B its 4096-wide attention', () => {
    const gatedT5 = [
      'SelfAttention.q',
      'SelfAttention.k',
      'SelfAttention.v',
      'SelfAttention.o',
      'EncDecAttention.q',
      'EncDecAttention.k',
      'EncDecAttention.v',
      'EncDecAttention.o',
      'DenseReluDense.wi_0',
      'DenseReluDense.wi_1',
      'DenseReluDense.wo',
    ];
    expect(linearPaths(findModel('google/flan-t5-xl').arch)).toEqual(gatedT5);
    expect(linearPaths(findModel('bigscience/mt0-large').arch)).toEqual(gatedT5);
    const q = findModel('t5-3b').arch.stacks[0]?.linears.find((l) => l.role === 'attn.q');
    expect([q?.inFeatures, q?.outFeatures]).toEqual([1024, 4096]);
  });

  it('keeps family specifics: Qwen2 q/k/v biases, Gemma-2 four norms, BERT extras, OPT-350m projections', () => {
    const qwen = findModel('Qwen/Qwen2.5-7B').arch.stacks[0]?.linears ?? [];
    expect(qwen.filter((l) => l.bias).map((l) => l.name)).toEqual(['q_proj', 'k_proj', 'v_proj']);
    expect(findModel('google/gemma-2-2b').arch.stacks[0]?.norms).toHaveLength(4);
    expect(findModel('bert-base-uncased').arch.extraParams.map((e) => e.name)).toEqual([
      'embeddings.token_type_embeddings',
      'embeddings.LayerNorm',
      'pooler.dense',
    ]);
    expect(linearPaths(findModel('roberta-base').arch)).toEqual([
      'attention.self.query',
      'attention.self.key',
      'attention.self.value',
      'attention.output.dense',
      'intermediate.dense',
      'output.dense',
    ]);
    expect(linearPaths(findModel('facebook/opt-125m').arch)).toEqual(['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj', 'fc1', 'fc2']);
    expect(linearPaths(findModel('bigscience/bloom-560m').arch)).toEqual([
      'self_attention.query_key_value',
      'self_attention.dense',
      'mlp.dense_h_to_4h',
      'mlp.dense_4h_to_h',
    ]);
    const opt = findModel('facebook/opt-350m').arch;
    expect(opt.extraParams.filter((e) => e.name.startsWith('project_')).map((e) => e.count)).toEqual([512 * 1024, 1024 * 512]);
    expect(opt.stacks[0]?.finalNorm).toBeNull();
    expect(findModel('bigscience/bloom-560m').arch.extraParams).toEqual([{ name: 'word_embeddings_layernorm', count: 2048, biases: 1024 }]);
  });

  it('describes the newer families: Mixtral experts and router, Phi-3 fused maps, Qwen3 and Gemma 3 per-head norms, DeBERTa-v3 relative embeddings', () => {
    const mixtral = findModel('mistralai/Mixtral-8x7B-v0.1').arch.stacks[0]!;
    expect(mixtral.linears.filter((l) => l.name === 'w2').map((l) => [l.path, l.inFeatures, l.outFeatures, l.activeShare])).toEqual(
      Array.from({ length: 8 }, (_, i) => [`block_sparse_moe.experts.${i}.w2`, 14336, 4096, 0.25]),
    );
    expect(mixtral.linears.filter((l) => l.role === 'mlp.router').map((l) => [l.path, l.outFeatures])).toEqual([['block_sparse_moe.gate', 8]]);
    // LoRA on w1 trains every expert's w1, as HF PEFT's suffix match does.
    expect(loraParams(findModel('mistralai/Mixtral-8x7B-v0.1').arch, ['w1'], 8)).toBe(32 * 8 * 8 * (4096 + 14336));
    const phi = findModel('microsoft/Phi-3-mini-4k-instruct').arch.stacks[0]!;
    expect(phi.linears.map((l) => [l.path, l.role, l.outFeatures])).toEqual([
      ['self_attn.qkv_proj', 'attn.qkv', 9216],
      ['self_attn.o_proj', 'attn.o', 3072],
      ['mlp.gate_up_proj', 'mlp.gate', 16384],
      ['mlp.down_proj', 'mlp.out', 3072],
    ]);
    expect(findModel('google/gemma-3-1b-pt').arch.stacks[0]!.norms.map((n) => n.size)).toEqual([1152, 256, 256, 1152, 1152, 1152]);
    expect(findModel('Qwen/Qwen3-8B').arch.stacks[0]!.norms.map((n) => n.name)).toEqual(['input_layernorm', 'self_attn.q_norm', 'self_attn.k_norm', 'post_attention_layernorm']);
    expect(findModel('microsoft/deberta-v3-large').arch.extraParams.find((e) => e.name === 'encoder.rel_embeddings')?.count).toBe(512 * 1024);
    expect(findModel('microsoft/deberta-v3-base').arch.moduleNames).toEqual({ embedding: 'word_embeddings', lmHead: 'lm_predictions.lm_head', classifier: 'classifier' });
  });

  it('rejects a fused gate without the fused flag, and more active experts than experts', () => {
    const data = structuredClone(raw) as { models: Record<string, unknown>[] };
    const phi = data.models.findIndex((m) => m.id === 'microsoft/phi-4');
    (data.models[phi]!.ffn as Record<string, unknown>).fusedGateUp = undefined;
    expect(() => parseModels(data, 'x.json')).toThrow(new RegExp(`field "models\\.${phi}\\.modules\\.mlp\\.in"`));
    const moe = structuredClone(raw) as { models: Record<string, unknown>[] };
    const mixtral = moe.models.findIndex((m) => m.id === 'mistralai/Mixtral-8x7B-v0.1');
    (moe.models[mixtral]!.moe as Record<string, unknown>).active = 9;
    expect(() => parseModels(moe, 'x.json')).toThrow(new RegExp(`field "models\\.${mixtral}\\.moe\\.active"`));
  });

  it("reproduces HF PEFT's documented LoRA example: Llama-2-7B, r=8 on q_proj,v_proj → 4,194,304", () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(loraParams(arch, ['q_proj', 'v_proj'], 8)).toBe(4_194_304);
    expect(loraParams(arch, ['q_proj', 'v_proj'], 8)).toBe(32 * 2 * 8 * (4096 + 4096));
    expect(totalParams(arch) + 4_194_304).toBe(6_742_609_920);
  });

  it('reproduces the other trainable counts PEFT and the survey print', () => {
    // PEFT tutorial: facebook/opt-350m, r=16 on q_proj,v_proj.
    expect(loraParams(findModel('facebook/opt-350m').arch, ['q_proj', 'v_proj'], 16)).toBe(1_572_864);
    // PEFT int8 example: facebook/opt-6.7b, r=16 on q_proj,v_proj.
    expect(loraParams(findModel('facebook/opt-6.7b').arch, ['q_proj', 'v_proj'], 16)).toBe(8_388_608);
    // PEFT README: bigscience/mt0-large, r=8 on q,v (self- and cross-attention alike).
    expect(loraParams(findModel('bigscience/mt0-large').arch, ['q', 'v'], 8)).toBe(2_359_296);
    // Survey v2: LoRA r=8 on q,v and on q,k,v,o,wi,wo.
    const survey: [string, number, number][] = [
      ['t5-large', 2_359_296, 8_650_752],
      ['t5-3b', 5_898_240, 25_165_824],
      ['t5-11b', 20_054_016, 91_226_112],
    ];
    for (const [id, qv, all] of survey) {
      const arch = findModel(id).arch;
      expect(loraParams(arch, ['q', 'v'], 8)).toBe(qv);
      expect(loraParams(arch, ['q', 'k', 'v', 'o', 'wi', 'wo'], 8)).toBe(all);
      // Survey v2: LayerNorm tuning trains 124,928 scales on every T5 size.
      const norms = arch.stacks.reduce((sum, s) => sum + s.layers * s.norms.reduce((a, n) => a + n.size, 0) + (s.finalNorm?.size ?? 0), 0);
      expect(norms).toBe(124_928);
    }
  });

  it('names the file and the field of a bad entry', () => {
    const bad = structuredClone(raw) as { models: Record<string, unknown>[] };
    const first = bad.models[0];
    if (!first) throw new Error('fixture: one model');
    delete first.hiddenSize;
    expect(() => parseModels(bad)).toThrow(ContentError);
    expect(() => parseModels(bad)).toThrow(new RegExp(`${MODELS_FILE.replace(/[./]/g, '\\$&')}[\\s\\S]*field "models\\.0\\.hiddenSize"`));
  });

  it('gives every map a path whose leaf is its name, distinct within each layer', () => {
    for (const m of MODELS) {
      for (const s of m.arch.stacks) {
        expect(new Set(s.linears.map((l) => l.path)).size).toBe(s.linears.length);
        for (const l of s.linears) expect(l.path.split('.').at(-1)).toBe(l.name);
      }
    }
  });

  it('names the file and the field of a bad module path', () => {
    for (const badPath of ['', 'self_attn..q_proj', '.q_proj', 'self_attn.q_proj.', 'self attn.q_proj', 'self_attn/q_proj']) {
      const bad = structuredClone(raw) as { models: { modules: Record<string, unknown> }[] };
      const first = bad.models[0];
      if (!first) throw new Error('fixture: one model');
      first.modules['attn.k'] = badPath;
      expect(() => parseModels(bad)).toThrow(ContentError);
      expect(() => parseModels(bad)).toThrow(new RegExp(`${MODELS_FILE.replace(/[./]/g, '\\$&')}[\\s\\S]*field "models\\.0\\.modules\\.attn\\.k"`));
    }
    const same = structuredClone(raw) as { models: { modules: Record<string, unknown> }[] };
    const gpt2 = same.models.findIndex((m) => m.modules['mlp.out'] === 'mlp.c_proj');
    const entry = same.models[gpt2];
    if (!entry) throw new Error('fixture: gpt2');
    entry.modules['mlp.out'] = 'attn.c_proj';
    expect(() => parseModels(same, 'x.json')).toThrow(new RegExp(`field "models\\.${gpt2}\\.modules\\.mlp\\.out": mlp\\.out has the same path as attn\\.o`));
  });

  it('rejects inconsistent facts and duplicate ids', () => {
    const gatedWithoutGate = structuredClone(raw) as { models: { modules: Record<string, unknown> }[] };
    const llama = gatedWithoutGate.models.find((m) => m.modules['mlp.gate'] === 'mlp.gate_proj');
    if (!llama) throw new Error('fixture: a gated model');
    delete llama.modules['mlp.gate'];
    expect(() => parseModels(gatedWithoutGate, 'x.json')).toThrow(/field "models\.\d+\.modules\.mlp\.gate"/);

    const dup = structuredClone(raw) as { models: { id: string }[] };
    const [a, b] = dup.models;
    if (!a || !b) throw new Error('fixture: two models');
    b.id = a.id;
    expect(() => parseModels(dup, 'x.json')).toThrow(/field "models\.1\.id": duplicate id/);
  });

  it('throws a short RangeError naming the closest ids for an unknown id', () => {
    expect(() => findModel('not/a-model')).toThrow(RangeError);
    expect(() => findModel('meta-llama/Llama-2-7b-chat')).toThrow(/^unknown model "meta-llama\/Llama-2-7b-chat"; closest: meta-llama\/Llama-2-7b-chat-hf, /);
    expect(() => findModel('x'.repeat(1000))).toThrow(/^unknown model "x{40}…"; closest: /);
    expect(() => findModel('gpt2\nerror: forged')).toThrow(/"gpt2\\nerror: forged"/);
  });

  it('rejects variants that repeat an id or a label, in any letter case', () => {
    const dup = structuredClone(raw) as { models: { id: string; name: string; variants?: { id: string; name: string }[] }[] };
    const withVariants = dup.models.findIndex((m) => m.variants !== undefined);
    const entry = dup.models[withVariants];
    const variant = entry?.variants?.[0];
    if (!entry || !variant) throw new Error('fixture: a model with a variant');
    variant.id = 'T5-SMALL';
    expect(() => parseModels(dup, 'x.json')).toThrow(new RegExp(`field "models\\.${withVariants}\\.variants\\.0\\.id": duplicate id "T5-SMALL"`));
    variant.id = 'someone/new-model';
    variant.name = ` ${entry.name.toUpperCase()} `;
    expect(() => parseModels(dup, 'x.json')).toThrow(new RegExp(`field "models\\.${withVariants}\\.variants\\.0\\.name": duplicate name`));
  });
});

describe('finding a model as a user types it', () => {
  it('accepts the id in any letter case, without the organisation, or the label, ignoring surrounding spaces', () => {
    const llama = 'meta-llama/Llama-2-7b-hf';
    for (const typed of [llama, 'META-LLAMA/llama-2-7B-HF', 'Llama-2-7b-hf', '  llama-2-7b-hf\t', 'Llama 2 7B', ' llama  2 7b ']) {
      expect(findModel(typed).id).toBe(llama);
    }
    expect(findModel('flan-t5-xl').id).toBe('google/flan-t5-xl');
    expect(findModel('GPT2').id).toBe('gpt2');
  });

  it('refuses a name shared by several models instead of guessing', () => {
    // Every name without organisation is unique today, so the rule is checked on the labels'
    // folded form: no two choices may share a label, and a bare org matches nothing.
    const labels = MODEL_CHOICES.map((m) => m.name.trim().toLowerCase());
    expect(new Set(labels).size).toBe(labels.length);
    expect(lookupModel('meta-llama')).toEqual({ error: expect.stringMatching(/^unknown model "meta-llama"; closest: /) });
    expect(lookupModel('   ')).toEqual({ error: expect.stringMatching(/^no model given/) });
  });

  it('resolves chat and instruct variants to their base architecture under their own id and name', () => {
    const cases: [variant: string, base: string][] = [
      ['meta-llama/Llama-2-7b-chat-hf', 'meta-llama/Llama-2-7b-hf'],
      ['Qwen/Qwen2.5-3B-Instruct', 'Qwen/Qwen2.5-3B'],
      ['Qwen/Qwen2.5-0.5B-Instruct', 'Qwen/Qwen2.5-0.5B'],
      ['Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-7B'],
      ['bigscience/T0_3B', 'google/flan-t5-xl'],
      ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B'],
      ['mistralai/Mistral-7B-Instruct-v0.1', 'mistralai/Mistral-7B-v0.1'],
      ['google/gemma-2-9b-it', 'google/gemma-2-9b'],
    ];
    for (const [variantId, baseId] of cases) {
      const variant = findModel(variantId);
      const base = findModel(baseId);
      expect(variant.id).toBe(variantId);
      expect(variant.arch.id).toBe(variantId);
      expect(variant.name).not.toBe(base.name);
      expect(variant.baseId).toBe(baseId);
      expect(variant.publishedTotal).toBe(base.publishedTotal);
      expect(totalParams(variant.arch)).toBe(base.publishedTotal);
      expect({ ...variant.arch, id: base.id, name: base.name }).toEqual(base.arch);
      expect(variant.source).toBe(`https://huggingface.co/${variantId}/blob/main/config.json`);
    }
    expect(findModel('t0_3b').id).toBe('bigscience/T0_3B');
    expect(findModel('Llama 2 7B Chat').id).toBe('meta-llama/Llama-2-7b-chat-hf');
  });

  it('lists every model once with its variants right after it; MODELS keeps one per entry', () => {
    const ids = MODEL_CHOICES.map((m) => m.id);
    expect(new Set(ids.map((id) => id.toLowerCase())).size).toBe(ids.length);
    expect(MODELS.every((m) => m.baseId === undefined)).toBe(true);
    MODEL_CHOICES.forEach((m, i) => {
      if (m.baseId === undefined) return;
      const before = MODEL_CHOICES.slice(0, i).reverse().find((c) => c.baseId === undefined);
      expect(before?.id).toBe(m.baseId);
    });
    expect(MODEL_CHOICES.length).toBeGreaterThan(MODELS.length);
  });
});
