import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { DEFAULT_SETUP } from '../cost/setup';
import { trainingMemory } from '../cost/memory';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';
import { loraFa, releasedInputs } from './lora-fa';

methodContract(loraFa, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'v_proj'] },
    { r: 2, targets: ['q_proj', 'fc1'], rankPattern: 'fc1=5', bias: 'lora_only' },
  ],
});

beforeAll(useTestBackend);

type FaConfig = Parameters<typeof loraFa.trainableParams>[1];

describe('LoRA-FA on the toy', () => {
  it('never moves A: only B (and biases) train, and the update still merges and unmerges exactly', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const config: FaConfig = resolveConfig(loraFa, model.arch, { r: 4, targets: ['q_proj', 'v_proj', 'fc2'] });
    const applied = loraFa.apply(model, config);
    // Three targeted maps (each 16 wide on the output side) in two layers: one B [4, 16] each, no A.
    expect(applied.trainable.map((v) => v.shape)).toEqual(Array(6).fill([4, 16]));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

/**
 * HF PEFT (huggingface/peft@5d602fd): LoraConfig + create_lorafa_optimizer sets requires_grad =
 * False on every lora_A, so the trainable count is Σ r·out over the targeted maps, half of LoRA's
 * on square maps; the state dict keeps lora_A and lora_B, so the saved count is LoRA's r·(in + out).
 */
describe('LoRA-FA on real models (r = 8)', () => {
  const counts = (id: string, targets: string[]) => {
    const arch = findModel(id).arch;
    const config: FaConfig = resolveConfig(loraFa, arch, { r: 8, targets });
    return [loraFa.trainableParams(arch, config), loraFa.savedParams(arch, config)];
  };

  it.each([
    // 32 layers, q and v 4,096 → 4,096.
    ['meta-llama/Llama-2-7b-hf', ['q_proj', 'v_proj'], 32 * 8 * (4096 + 4096), 32 * 8 * (4096 + 4096 + 4096 + 4096)],
    // 24 layers; q 896 → 896, v 896 → 128.
    ['Qwen/Qwen2.5-0.5B', ['q_proj', 'v_proj'], 24 * 8 * (896 + 128), 24 * 8 * (896 + 896 + 896 + 128)],
    // 32 layers; q 4,096 → 4,096, v 4,096 → 1,024.
    ['mistralai/Mistral-7B-v0.1', ['q_proj', 'v_proj'], 32 * 8 * (4096 + 1024), 32 * 8 * (4096 + 4096 + 4096 + 1024)],
    // q and v in 12 encoder self-, 12 decoder self- and 12 cross-attentions: 72 maps 768 → 768.
    ['t5-base', ['q', 'v'], 72 * 8 * 768, 72 * 8 * (768 + 768)],
    // c_attn 768 → 2,304 in 12 layers.
    ['gpt2', ['c_attn'], 12 * 8 * 2304, 12 * 8 * (768 + 2304)],
    ['bert-base-uncased', ['query', 'value'], 12 * 2 * 8 * 768, 12 * 2 * 8 * (768 + 768)],
    ['facebook/opt-125m', ['q_proj', 'v_proj'], 12 * 2 * 8 * 768, 12 * 2 * 8 * (768 + 768)],
  ])('%s on %j: trains %i, saves %i', (id, targets, trained, saved) => {
    expect(counts(id, targets)).toEqual([trained, saved]);
    // The saved adapter is LoRA's, to the scalar.
    const arch = findModel(id).arch;
    expect(saved).toBe(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, targets })));
  });

  it('Llama-2-7B on q and v: 2,097,152 trained, half of LoRA\'s 4,194,304', () => {
    expect(counts('meta-llama/Llama-2-7b-hf', ['q_proj', 'v_proj'])).toEqual([2_097_152, 4_194_304]);
  });

  it('exports a LoraConfig and says the optimizer makes it LoRA-FA', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    const exp = loraFa.peft!(resolveConfig(loraFa, arch, {}), arch);
    expect(exp.configClass).toBe('LoraConfig');
    expect(exp.note).toMatch(/create_lorafa_optimizer/);
  });

  it('does not offer the token embedding (HF does not freeze lora_embedding_A)', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(() => resolveConfig(loraFa, arch, { targets: ['embed_tokens'] })).toThrow();
    // The LM head is a Linear: its A [4,096, 8] is frozen, B [8, 32,000] trained.
    const withHead: FaConfig = resolveConfig(loraFa, arch, { r: 8, targets: ['q_proj', 'v_proj', 'lm_head'] });
    expect(loraFa.trainableParams(arch, withHead)).toBe(2_097_152 + 8 * 32_000);
  });
});

describe('LoRA-FA in the memory model', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
  const every = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

  it('releases the inputs of maps it alone reads: attention input, MLP input and down_proj input', () => {
    // 4,096 (q, k, v) + 4,096 (gate, up) + 11,008 (down); o_proj's input stays (the attention kernel's output).
    expect(releasedInputs(llama.stacks[0]!, every)).toBe(4096 + 4096 + 11008);
    // k_proj untargeted still keeps the attention input, by the cost model's convention.
    expect(releasedInputs(llama.stacks[0]!, ['q_proj', 'v_proj'])).toBe(0);
    expect(releasedInputs(llama.stacks[0]!, ['q_proj', 'k_proj', 'v_proj', 'down_proj'])).toBe(4096 + 11008);
    // GPT-2: the fused c_attn reads the attention input alone; c_fc the MLP input; mlp.c_proj the 3,072 GELU outputs.
    expect(releasedInputs(findModel('gpt2').arch.stacks[0]!, ['c_attn', 'c_fc', 'mlp.c_proj'])).toBe(768 + 768 + 3072);
  });

  it('Llama-2-7B, every map, r = 8, batch 8 × 512, SDPA, bf16: activations 19,200 values a token a layer below LoRA\'s', () => {
    const setup = DEFAULT_SETUP;
    const [withLora, withFa] = [
      trainingMemory(llama, lora, resolveConfig(lora, llama, { targets: every }), setup),
      trainingMemory(llama, loraFa, resolveConfig(loraFa, llama, { targets: every }), setup),
    ];
    expect(withLora.activations - withFa.activations).toBe(setup.batchSize * setup.sequenceLength * 32 * 2 * 19_200);
    // A stays in memory (frozen, fp32 as PEFT keeps adapters) and B trains: the weights match LoRA's.
    expect(withFa.weights).toBe(withLora.weights);
    expect(withFa.gradients).toBe(4 * loraFa.trainableParams(llama, resolveConfig(loraFa, llama, { targets: every })));
  });
});
