import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methodCosts } from '@/lib/content/method-costs';
import { DEFAULT_SETUP } from '@/lib/peft/cost/setup';
import { estimate } from '@/lib/peft/estimate';
import { METHODS } from '@/lib/peft/registry';
import { COST_MODEL_IDS, COST_SETUPS, costRows, setupOf } from './analytic-costs-build';
import { analyticCostsProblems } from './checks';
import { analyticCostsCsv } from './csv-writers';
import { DATASETS, loadAnalyticCosts, parseAnalyticCosts } from './load';

const data = loadAnalyticCosts();
const find = (method: string, model: string, setup: string) => data.rows.find((r) => r.method === method && r.model === model && r.setup === setup);

describe('content/data/analytic-costs.json', () => {
  it('validates and has every registered method on every listed model and setup', () => {
    expect(data.models.map((m) => m.id)).toEqual([...COST_MODEL_IDS]);
    expect(data.setups.map((s) => s.id)).toEqual(COST_SETUPS.map((s) => s.id));
    expect(data.rows).toHaveLength(METHODS.length * COST_MODEL_IDS.length * COST_SETUPS.length);
    expect(analyticCostsProblems(data)).toEqual([]);
  });

  it('stays under 1.5 MB', () => {
    expect(readFileSync(DATASETS['analytic-costs']).byteLength).toBeLessThan(1.5e6);
  });

  it.each([
    ['meta-llama/Llama-2-7b-hf', 'bf16-adamw'],
    ['t5-large', 'qlora-style'],
    ['gpt2', 'fp32-adamw'],
  ])('has the rows lib/peft/cost computes today for %s, %s', (model, setup) => {
    expect(data.rows.filter((r) => r.model === model && r.setup === setup)).toEqual(costRows(model, setup));
  });

  it("agrees with the calculator's estimate and the methods table's reference figures", () => {
    const e = estimate('meta-llama/Llama-2-7b-hf', 'lora', {}, DEFAULT_SETUP);
    const row = find('lora', 'meta-llama/Llama-2-7b-hf', 'bf16-adamw');
    expect(row?.trainable).toBe(e.trainable);
    expect(row?.trainable).toBe(4_194_304); // r = 8 on q_proj and v_proj of 32 layers: 32 · 2 · 8 · (4096 + 4096)
    expect(row?.memory.total).toBe(e.memory.total);
    expect(row?.checkpointBytes).toBe(e.checkpointBytes);
    const reference = methodCosts().get('lora');
    expect(row?.memory.total).toBe(reference?.memoryBytes);
    const q = estimate('t5-3b', 'ia3', {}, setupOf('qlora-style'));
    expect(find('ia3', 't5-3b', 'qlora-style')?.memory.activations).toBe(q.memory.activations);
  });

  it('gives a method that does not apply its reason and zeros, never NaN', () => {
    const bitfit = find('bitfit', 'meta-llama/Llama-2-7b-hf', 'bf16-adamw');
    expect(bitfit?.problem).toMatch(/bias/);
    expect([bitfit?.trainable, bitfit?.checkpointBytes, bitfit?.memory.total]).toEqual([0, 0, 0]);
    expect(find('bitfit', 'bert-base-uncased', 'bf16-adamw')?.problem).toBeNull();
  });

  it('has its CSV beside it, in step with the JSON', () => {
    expect(readFileSync(DATASETS['analytic-costs'].replace(/\.json$/, '.csv'), 'utf8')).toBe(analyticCostsCsv(data));
  });

  it('a bad file fails naming the file and the field; the checks catch a wrong sum and a missing row', () => {
    const raw = JSON.parse(readFileSync(DATASETS['analytic-costs'], 'utf8'));
    raw.rows[3].memory.total = -1;
    expect(() => parseAnalyticCosts(raw)).toThrow(/analytic-costs\.json[\s\S]*rows\.3\.memory\.total/);
    const bad = structuredClone(data);
    const row = bad.rows.find((r) => r.problem === null)!;
    row.memory.total += 1000;
    bad.rows.pop();
    const problems = analyticCostsProblems(bad).join('\n');
    expect(problems).toMatch(/memory parts sum to/);
    expect(problems).toMatch(/expected \d+ \(every method × model × setup\)/);
  });
});
