import { describe, expect, it } from 'vitest';
import { type Architecture, linearMatches } from './arch';
import { peftSnippet, peftSnippetParts } from './export';
import { resolveConfig } from './method-api/config';
import { outsideModuleOf } from './method-api/outside';
import { patternRecord } from './method-api/pattern';
import { pythonCode, pythonLiteral, pythonNumber, pythonString } from './method-api/python';
import type { MethodConfig, PeftMethod } from './method-api/types';
import { findModel } from './models';
import { METHODS, findPeftMethod } from './registry';

/** What a list of target names selects: block maps by stack and path, and the outside modules. */
function selection(arch: Architecture, targets: readonly string[]): string[] {
  const maps = arch.stacks.flatMap((s, i) => s.linears.filter((l) => targets.some((t) => linearMatches(l, t))).map((l) => `${i}:${l.path}`));
  return [...maps, ...targets.map((t) => outsideModuleOf(arch, t)).filter((x) => x !== null)].sort();
}

/** The HF PEFT arguments each method's config must produce (the snippet's side of the check). */
const EXPECTED: Record<string, (c: MethodConfig, arch: Architecture) => Record<string, unknown>> = {
  lora: (c) => ({ r: c.r, lora_alpha: c.alpha, bias: c.bias }),
  qlora: (c) => ({ r: c.r, lora_alpha: c.alpha, bias: c.bias }),
  'lora-fa': (c) => ({ r: c.r, lora_alpha: c.alpha, bias: c.bias }),
  loha: (c) => ({ r: c.r, alpha: c.alpha }),
  lokr: (c) => ({ r: c.r, alpha: c.alpha, decompose_both: c.decomposeBoth === 'yes', decompose_factor: c.decomposeFactor }),
  dora: (c) => ({ r: c.r, lora_alpha: c.alpha, bias: c.bias, use_dora: true }),
  pissa: (c) => ({ r: c.r, lora_alpha: c.alpha, bias: c.bias, init_lora_weights: c.svd === 'fast' ? `pissa_niter_${c.niter}` : 'pissa' }),
  adalora: (c) => ({ init_r: c.initR, target_r: c.targetR, lora_alpha: c.alpha, deltaT: c.deltaT, beta1: c.beta1, beta2: c.beta2, orth_reg_weight: c.orthReg, total_step: 1000, bias: c.bias }),
  ia3: () => ({}),
  'prompt-tuning': (c) => ({ num_virtual_tokens: c.tokens, prompt_tuning_init: 'SAMPLE_VOCAB' }),
  'prefix-tuning': (c) => ({ num_virtual_tokens: c.tokens, prefix_projection: c.projection === 'mlp', ...(c.projection === 'mlp' ? { encoder_hidden_size: c.bottleneck } : {}) }),
  oft: (c) => ({ r: c.r, oft_block_size: c.r === 0 ? c.blockSize : 0, num_cayley_neumann_terms: c.neumannTerms, use_cayley_neumann: true }),
  boft: (c) => ({ boft_block_size: c.blockSize, boft_block_num: c.blockNum, boft_n_butterfly_factor: c.butterflyFactor }),
  // HF PEFT refuses more adapter layers than the model has: the export writes the depth then (an
  // encoder–decoder model, where the method does not apply, keeps the setting).
  'llama-adapter': (c, arch) => ({ adapter_len: c.adapterLen, adapter_layers: arch.stacks.length === 1 ? Math.min(c.adapterLayers as number, arch.stacks[0]!.layers) : c.adapterLayers }),
  'p-tuning': (c) => ({ num_virtual_tokens: c.tokens, encoder_reparameterization_type: c.encoder === 'lstm' ? 'LSTM' : 'MLP', encoder_hidden_size: c.hidden, ...(c.encoder === 'lstm' ? { encoder_num_layers: c.lstmLayers } : {}) }),
  'p-tuning-v2': (c) => ({ num_virtual_tokens: c.tokens, prefix_projection: false }),
  vera: (c) => ({ r: c.r, d_initial: c.dInitial, save_projection: c.saveProjection === 'true', bias: c.bias }),
  // Every norm, named (per-layer, then final, in stack order); HF's family default is left to HF.
  'ln-tuning': (c, arch) => (c.norms === 'all' ? { target_modules: [...new Set(arch.stacks.flatMap((s) => [...s.norms.map((n) => n.name), ...(s.finalNorm ? [s.finalNorm.name] : [])]))] } : {}),
};

const SETTINGS: Record<string, Record<string, string | number | string[]>> = {
  lora: { r: 16, alpha: 32, bias: 'lora_only', rankPattern: 'v_proj|v=4', alphaPattern: 'q_proj|q=8' },
  qlora: { r: 8 },
  'lora-fa': { r: 16, alpha: 32 },
  loha: { r: 16, alpha: 32 },
  lokr: { r: 4, decomposeBoth: 'yes', decomposeFactor: 8 },
  dora: { r: 16, alpha: 32, bias: 'lora_only' },
  pissa: { r: 16, alpha: 16, svd: 'fast', niter: 16 },
  adalora: { initR: 10, targetR: 4, tinit: 0.1, tfinal: 0.2, deltaT: 5 },
  ia3: {},
  'prompt-tuning': { tokens: 20 },
  'prefix-tuning': { tokens: 10, bottleneck: 256 },
  oft: { blockSize: 16 },
  boft: { blockSize: 8, butterflyFactor: 2 },
  'llama-adapter': { adapterLen: 10, adapterLayers: 30 },
  'p-tuning': { tokens: 20, encoder: 'lstm', hidden: 128, lstmLayers: 1 },
  'p-tuning-v2': { tokens: 16 },
  vera: { r: 128, dInitial: 0.05, saveProjection: 'true', bias: 'vera_only' },
  'ln-tuning': { norms: 'all' },
};

describe('every method HF PEFT has exports its config, and the arguments are its resolved config', () => {
  const withExport = METHODS.filter((m) => m.peft);

  it('covers the methods HF PEFT has and no other', () => {
    expect(withExport.map((m) => m.id).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(findPeftMethod('full-fine-tuning').peft).toBeUndefined();
  });

  describe.each(['meta-llama/Llama-2-7b-hf', 't5-large', 'gpt2'])('on %s', (modelId) => {
    const model = findModel(modelId);
    it.each(withExport.map((m) => [m.id, m] as [string, PeftMethod]))('%s', (id, method) => {
      const input = id === 'lora' && modelId === 'gpt2' ? { ...SETTINGS[id], rankPattern: 'c_attn=4', alphaPattern: '' } : SETTINGS[id];
      const config = resolveConfig(method, model.arch, input);
      const parts = peftSnippetParts(model, method, config)!;
      expect(parts.args).toMatchObject(EXPECTED[id]!(config, model.arch));
      if ('targets' in config) {
        // Rendered as HF PEFT reads them, the names select exactly the modules the config targets.
        const names = parts.args.target_modules as string[];
        expect(selection(model.arch, names)).toEqual(selection(model.arch, config.targets as string[]));
      }
      if (id === 'lora') {
        expect(parts.args.rank_pattern).toEqual(patternRecord(config.rankPattern as string));
        expect(parts.args.alpha_pattern).toEqual(config.alphaPattern ? patternRecord(config.alphaPattern as string) : undefined);
      }
      if (id === 'adalora') {
        // Shares of the run become HF's steps: 0.1 and 0.2 of 1,000.
        expect([parts.args.tinit, parts.args.tfinal]).toEqual([100, 200]);
      }
      if (id === 'ia3') {
        // HF requires feedforward_modules ⊆ target_modules.
        const targets = parts.args.target_modules as string[];
        expect((parts.args.feedforward_modules as string[]).every((f) => targets.includes(f))).toBe(true);
      }
      const taskType = model.arch.stacks.length > 1 ? 'SEQ_2_SEQ_LM' : 'CAUSAL_LM';
      expect(parts.args.task_type).toBe(taskType);
      const snippet = peftSnippet(model, method, config)!;
      expect(snippet).toContain(`from peft import ${parts.configClass}, get_peft_model`);
      expect(snippet).toContain(`${parts.modelClass}.from_pretrained(\n    ${pythonString(model.id)},`);
      expect(snippet).toMatch(/model = get_peft_model\(model, config\)\nmodel\.print_trainable_parameters\(\)$/);
      for (const [k, v] of Object.entries(parts.args)) expect(snippet).toContain(`    ${k}=${pythonLiteral(v)},\n`);
    });
  });

  it('gives no snippet for methods HF PEFT does not have', () => {
    const model = findModel('gpt2');
    for (const id of ['full-fine-tuning', 'bitfit', 'adapters']) {
      const method = findPeftMethod(id);
      expect(peftSnippet(model, method, resolveConfig(method, model.arch))).toBeNull();
    }
  });
});

describe('the snippet for the setup', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf');
  const lora = findPeftMethod('lora');
  const config = resolveConfig(lora, llama.arch);

  it('loads QLoRA in NF4 with double quantization and bf16 compute, and prepares it for k-bit training', () => {
    const qlora = findPeftMethod('qlora');
    const snippet = peftSnippet(llama, qlora, resolveConfig(qlora, llama.arch))!;
    expect(snippet).toContain('import torch\nfrom transformers import AutoModelForCausalLM, BitsAndBytesConfig\nfrom peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training');
    expect(snippet).toContain('bnb_config = BitsAndBytesConfig(\n    load_in_4bit=True,\n    bnb_4bit_quant_type="nf4",\n    bnb_4bit_use_double_quant=True,\n    bnb_4bit_compute_dtype=torch.bfloat16,\n)');
    expect(snippet).toContain('    quantization_config=bnb_config,\n');
    expect(snippet).toContain('model = prepare_model_for_kbit_training(model)');
  });

  it('loads the checkpoint dtype, a classifier with its labels, modules_to_save and a resized vocabulary', () => {
    const snippet = peftSnippet(llama, lora, config, { precision: 'fp16', task: 'classification', numLabels: 3, modulesToSave: ['embed_tokens'], vocabSize: 32_001 })!;
    expect(snippet).toContain('AutoModelForSequenceClassification.from_pretrained(\n    "meta-llama/Llama-2-7b-hf",\n    num_labels=3,\n    dtype=torch.float16,\n)');
    expect(snippet).toContain('model.resize_token_embeddings(32001)');
    expect(snippet).toContain('    task_type="SEQ_CLS",\n    modules_to_save=["embed_tokens"],\n');
  });

  it('loads an encoder-only model for masked LM, without a task type (HF PEFT has none for it)', () => {
    const bert = findModel('bert-base-uncased');
    const parts = peftSnippetParts(bert, lora, resolveConfig(lora, bert.arch))!;
    expect(parts.modelClass).toBe('AutoModelForMaskedLM');
    expect(parts.args.task_type).toBeUndefined();
  });

  it('puts a note where HF PEFT counts differently, as Python comments', () => {
    const prefix = findPeftMethod('prefix-tuning');
    const t5 = findModel('t5-large');
    const snippet = peftSnippet(t5, prefix, resolveConfig(prefix, t5.arch))!;
    expect(snippet.split('\n')[0]).toMatch(/^# HF PEFT's PrefixTuningConfig builds one prefix encoder/);
    expect(snippet.split('\n').filter((l) => l.startsWith('#')).every((l) => l.length <= 90)).toBe(true);
  });
});

describe('counts HF PEFT prints for the snippet', () => {
  // Each row: a config from HF PEFT's docs or README, with the "trainable params" its
  // print_trainable_parameters() output shows there (huggingface/peft at 5d602fd).
  it.each([
    // README.md: Qwen2.5-3B-Instruct, LoraConfig(r=16, lora_alpha=32) on the qwen2 defaults q_proj, v_proj.
    { source: 'README.md', model: 'Qwen/Qwen2.5-3B-Instruct', method: 'lora', hyper: { r: 16, alpha: 32 }, args: { r: 16, lora_alpha: 32, target_modules: ['q_proj', 'v_proj'] }, trainable: 3_686_400 },
    // docs/source/guides/peft_model_config.md: opt-350m, LoraConfig(r=16, target_modules=["q_proj", "v_proj"], lora_alpha=32).
    { source: 'peft_model_config.md', model: 'facebook/opt-350m', method: 'lora', hyper: { r: 16, alpha: 32, targets: ['q_proj', 'v_proj'] }, args: { r: 16, lora_alpha: 32, target_modules: ['q_proj', 'v_proj'] }, trainable: 1_572_864 },
    // docs/source/package_reference/prefix_tuning.md: PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=20) on a
    // bloomz-560m ("all params: 560,197,632"); prefix_projection defaults to False.
    { source: 'prefix_tuning.md', model: 'bigscience/bloomz-560m', method: 'prefix-tuning', hyper: { tokens: 20, projection: 'none' }, args: { num_virtual_tokens: 20, prefix_projection: false }, trainable: 983_040 },
    // docs/source/package_reference/prompt_tuning.md: bloomz-560m, PromptTuningConfig(num_virtual_tokens=8).
    { source: 'prompt_tuning.md', model: 'bigscience/bloomz-560m', method: 'prompt-tuning', hyper: { tokens: 8 }, args: { num_virtual_tokens: 8 }, trainable: 8_192 },
  ])('$source: $trainable', ({ model: modelId, method: methodId, hyper, args, trainable }) => {
    const model = findModel(modelId);
    const method = findPeftMethod(methodId);
    const config = resolveConfig(method, model.arch, hyper);
    expect(peftSnippetParts(model, method, config)!.args).toMatchObject(args);
    expect(method.trainableParams(model.arch, config)).toBe(trainable);
  });
});

describe('Python literals', () => {
  it('quotes and escapes strings so Python reads back the same text', () => {
    expect(pythonString('q_proj')).toBe('"q_proj"');
    expect(pythonString('say "hi"')).toBe('"say \\"hi\\""');
    expect(pythonString('C:\\models\\7b')).toBe('"C:\\\\models\\\\7b"');
    expect(pythonString('a\nb\tc\rd')).toBe('"a\\nb\\tc\\rd"');
    expect(pythonString('bell\u0007 del\u007f')).toBe('"bell\\x07 del\\x7f"');
    expect(pythonString('line\u2028sep')).toBe('"line\\u2028sep"');
    expect(pythonString("it's é 模型")).toBe('"it\'s é 模型"');
    expect(pythonString('.*\\.(q|v)$')).toBe('".*\\\\.(q|v)$"');
  });

  it('writes None, booleans, numbers, lists, dicts and code', () => {
    expect(pythonLiteral(null)).toBe('None');
    expect(pythonLiteral(true)).toBe('True');
    expect(pythonLiteral(false)).toBe('False');
    expect(pythonLiteral([1, 'a', [true]])).toBe('[1, "a", [True]]');
    expect(pythonLiteral({ 'q_proj': 16, 'v"x': 0.5 })).toBe('{"q_proj": 16, "v\\"x": 0.5}');
    expect(pythonLiteral(pythonCode('torch.bfloat16'))).toBe('torch.bfloat16');
    expect(pythonLiteral([])).toBe('[]');
    expect(pythonNumber(1e-5)).toBe('0.00001');
    expect(pythonNumber(1e-7)).toBe('1e-7');
    expect(pythonNumber(1e21)).toBe('1e21');
    expect(pythonNumber(-0)).toBe('0');
    expect(pythonNumber(0.85)).toBe('0.85');
    expect(() => pythonNumber(Number.NaN)).toThrow(RangeError);
  });
});
