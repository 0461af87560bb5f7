import { describe, expect, it } from 'vitest';
import { METHODS } from '@/lib/peft/registry';
import { taxonomy } from '@/lib/peft/taxonomy';
import { methodRows } from './catalogue';
import { REFERENCE_MODEL_ID, methodCosts, referenceInfo } from './method-costs';

const costs = methodCosts();
const get = (id: string) => {
  const c = costs.get(id);
  if (!c) throw new Error(`${id} has costs`);
  return c;
};

describe('methodCosts on the reference model', () => {
  it('has a row for every registered method, and every method of the taxonomy is registered', () => {
    expect([...costs.keys()].sort()).toEqual(METHODS.map((m) => m.id).sort());
    expect(taxonomy.methods.filter((m) => !costs.has(m.id)).map((m) => m.id)).toEqual([]);
  });

  it('LoRA: mergeable, no inference overhead, backprop through the backbone, exact trained share', () => {
    const lora = get('lora');
    expect(lora.inference).toBe('mergeable');
    expect(lora.mergeable).toBe(true);
    expect(lora.extraInferenceShare).toBe(0);
    expect(lora.backpropThroughBackbone).toBe(true);
    // r = 8 on q_proj and v_proj (4096 × 4096) in 32 layers: 32 · 2 · 8 · (4096 + 4096) = 4,194,304,
    // the count HF PEFT prints for Llama-2-7b with its default LoRA config.
    expect(lora.trainableParams).toBe(4_194_304);
    expect(lora.trainableShare).toBeCloseTo(4_194_304 / 6_738_415_616, 12);
    expect(lora.checkpointBytes).toBe(4 * 4_194_304);
    expect(lora.memoryVsFull).toBeGreaterThan(0);
    expect(lora.memoryVsFull).toBeLessThan(1);
  });

  it('LST does not backpropagate through the backbone and needs less memory than LoRA', () => {
    const lst = get('lst');
    expect(lst.backpropThroughBackbone).toBe(false);
    expect(lst.inference).toBe('extra-modules');
    expect(lst.memoryVsFull).toBeLessThan(get('lora').memoryVsFull);
  });

  it('prompt tuning serves a longer input, with a non-zero extra inference share', () => {
    const pt = get('prompt-tuning');
    expect(pt.inference).toBe('longer-input');
    expect(pt.mergeable).toBe(false);
    // 8 prompt tokens over a 512-token reference input.
    expect(pt.extraInferenceShare).toBeCloseTo(8 / 512, 12);
  });

  it('full fine-tuning is the unit of memory and storage', () => {
    const full = get('full-fine-tuning');
    expect(full.memoryVsFull).toBe(1);
    expect(full.checkpointShare).toBe(1);
    expect(full.trainableShare).toBe(1);
  });

  it('BitFit trains nothing on Llama 2, which has no biases', () => {
    expect(get('bitfit').trainableParams).toBe(0);
    expect(get('bitfit').checkpointBytes).toBe(0);
  });

  it('names the model the figures are for', () => {
    const ref = referenceInfo();
    expect(ref.modelId).toBe(REFERENCE_MODEL_ID);
    expect(ref.modelName).toBe('Llama 2 7B');
    expect(ref.totalParams).toBe(6_738_415_616);
    expect(ref.fullFineTuningMemoryBytes).toBe(get('full-fine-tuning').memoryBytes);
  });
});

describe('methodRows', () => {
  const rows = methodRows();

  it('gives every taxonomy method its computed costs and its written page', () => {
    expect(rows.filter((r) => r.cost === null || !r.hasPage).map((r) => r.id)).toEqual([]);
    expect(rows).toHaveLength(taxonomy.methods.length);
  });

  it('carries the computed costs of implemented methods as plain data', () => {
    const lora = rows.find((r) => r.id === 'lora');
    expect(lora?.cost?.mergeable).toBe(true);
    // What reaches the client component survives serialisation unchanged.
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });
});
