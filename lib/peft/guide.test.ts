import { describe, expect, it } from 'vitest';
import { trainingMemory } from './cost/memory';
import { DEFAULT_SETUP } from './cost/setup';
import { estimate } from './estimate';
import {
  type GuideInput,
  type MethodFacts,
  type ToyResults,
  INFERENCE_ZERO_SHARE,
  STEP_POINTS,
  UNMEASURED_QUALITY,
  WEIGHTS,
  methodFacts,
  rankMethods,
  scoreMethod,
  stepSetup,
  storagePart,
  surveyFindingsFor,
  validateGuideNumbers,
} from './guide';
import { findModel } from './models';
import { METHODS, findPeftMethod } from './registry';

const GIB = 2 ** 30;
const llama = findModel('meta-llama/Llama-2-7b-hf');
const t5 = findModel('t5-base');
const input = (patch: Partial<GuideInput> = {}): GuideInput => ({ model: llama, memoryGiB: 80, tasks: 1, latency: false, batchSize: 8, sequenceLength: 512, ...patch });
const rankOf = (answer: ReturnType<typeof rankMethods>, id: string) => answer.ranked.find((r) => r.id === id)?.rank ?? Infinity;

describe('the cost-model figures the guide ranks on', () => {
  it('are the calculator’s: memory, checkpoint and inference equal estimate() for every method on Llama 2 7B and T5-base', () => {
    for (const model of [llama, t5]) {
      for (const method of METHODS) {
        const f = methodFacts(method, model, DEFAULT_SETUP);
        const e = estimate(model, method.id, {}, DEFAULT_SETUP, 'rtx-4090', { allowNotApplicable: true });
        if ('notApplicable' in f) {
          expect(e.notApplicable, `${method.id} on ${model.id}`).toBe(f.notApplicable);
          continue;
        }
        expect(f.memory[0], `${method.id} on ${model.id}`).toEqual({ step: 'as-given', bytes: e.memory.total });
        expect(f.checkpointBytes, method.id).toBe(e.checkpointBytes);
        expect(f.extraInferenceShare, method.id).toBe(e.inference.extraFlopsShare);
        expect(f.mergeable, method.id).toBe(e.inference.mergeable);
        const saver = estimate(model, method.id, {}, stepSetup('checkpointing', DEFAULT_SETUP), 'rtx-4090', { allowNotApplicable: true });
        expect(f.memory[1], method.id).toEqual({ step: 'checkpointing', bytes: saver.memory.total });
      }
    }
  });

  it('offers 4-bit base weights only to methods that keep every base weight frozen and in place', () => {
    const steps = (id: string) => {
      const f = methodFacts(findPeftMethod(id), llama, DEFAULT_SETUP);
      return 'memory' in f ? f.memory.map((m) => m.step) : [];
    };
    expect(steps('lora')).toEqual(['as-given', 'checkpointing', 'nf4']);
    expect(steps('full-fine-tuning')).toEqual(['as-given', 'checkpointing']); // trains every base weight
    expect(steps('pissa')).toEqual(['as-given', 'checkpointing']); // rewrites base weights
    expect(steps('qlora')).toEqual(['as-given', 'checkpointing']); // NF4 already
    expect(steps('fish-mask')).toEqual(['as-given', 'checkpointing']); // trains a subset of base weights
  });
});

describe('rankMethods', () => {
  it('1 task, 80 GiB, Llama 2 7B: full fine-tuning does not fit even with checkpointing (138.9 → 114.7 GiB); LoRA fits as given (42.4 GiB) and ranks first', () => {
    const a = rankMethods(input());
    const full = a.doesNotFit.find((d) => d.id === 'full-fine-tuning');
    expect(full).toBeDefined();
    expect(full!.step).toBe('checkpointing');
    expect(full!.bytes / GIB).toBeCloseTo(114.7, 1);
    const fullFacts = methodFacts(findPeftMethod('full-fine-tuning'), llama, DEFAULT_SETUP);
    expect('memory' in fullFacts && fullFacts.memory[0]!.bytes / GIB).toBeCloseTo(138.9, 1);
    expect(rankOf(a, 'full-fine-tuning')).toBe(Infinity);
    const lora = a.ranked.find((r) => r.id === 'lora')!;
    expect(lora.fit.step).toBe('as-given');
    expect(lora.fit.bytes / GIB).toBeCloseTo(42.4, 1);
    expect(lora.rank).toBe(1);
    // Its reasons carry the numbers: memory needed and available, and the checkpoint.
    expect(lora.parts.find((p) => p.criterion === 'memory')!.text).toBe('Needs 42.4 GiB of 80.0 GiB (53%): fits as given.');
    expect(lora.parts.find((p) => p.criterion === 'storage')!.text).toMatch(/^1 task × 16\.8 MB checkpoint = 16\.8 MB, 0\.1% of the base model’s 13\.5 GB \(bf16\)\.$/);
    expect(lora.calculatorHref).toBe('/calculator/?model=meta-llama%2FLlama-2-7b-hf&method=lora');
    expect(lora.methodHref).toBe('/methods/lora/');
    // BitFit has no bias vectors to train on Llama: not applicable, not ranked.
    expect(a.notApplicable.map((n) => n.id)).toContain('bitfit');
  });

  it('24 GiB: LoRA needs gradient checkpointing (18.1 GiB), and the calculator link carries it', () => {
    const lora = rankMethods(input({ memoryGiB: 24 })).ranked.find((r) => r.id === 'lora')!;
    expect(lora.fit.step).toBe('checkpointing');
    expect(lora.fit.bytes / GIB).toBeCloseTo(18.1, 1);
    expect(lora.parts[0]!.points).toBe(STEP_POINTS.checkpointing);
    expect(lora.calculatorHref).toContain('checkpointing=1');
  });

  it('with 1000 tasks, storage-heavy methods drop and small checkpoints rise (T5-base, 80 GiB)', () => {
    const one = rankMethods(input({ model: t5, tasks: 1 }));
    const many = rankMethods(input({ model: t5, tasks: 1000 }));
    const storage = (a: typeof one, id: string) => a.ranked.find((r) => r.id === id)!.parts.find((p) => p.criterion === 'storage')!;
    // Full fine-tuning stores the whole model per task in fp32 (2× the bf16 base): 10.6 of 25 points for one task, 0 for 1000.
    expect(storage(one, 'full-fine-tuning').points).toBe(10.6);
    expect(storage(many, 'full-fine-tuning').points).toBe(0);
    expect(storage(many, 'full-fine-tuning').text).toMatch(/^1,000 tasks × 8\d\d\.\d MB checkpoint = 8\d\d\.\d GB/);
    const full1 = one.ranked.find((r) => r.id === 'full-fine-tuning')!;
    const full1000 = many.ranked.find((r) => r.id === 'full-fine-tuning')!;
    expect(full1000.storedBytes).toBe(1000 * full1.storedBytes);
    expect(full1.score - full1000.score).toBeCloseTo(10.6, 5);
    // The parallel adapter (a large checkpoint) falls; prompt tuning (a few vectors) rises.
    const drop = (id: string) => rankOf(many, id) - rankOf(one, id);
    expect(drop('parallel-adapter')).toBeGreaterThan(0);
    expect(drop('prompt-tuning')).toBeLessThan(0);
    // The five first store less, on average, for 1000 tasks than for one.
    const perTask = (a: typeof one, tasks: number) => a.ranked.slice(0, 5).reduce((s, r) => s + r.storedBytes / tasks, 0) / 5;
    expect(perTask(many, 1000)).toBeLessThan(perTask(one, 1));
  });

  it('with latency, mergeable methods outrank ones with extra inference compute at equal other scores', () => {
    const facts = (inference: MethodFacts['inference'], share: number): MethodFacts => ({
      id: inference,
      name: inference,
      memory: [{ step: 'as-given', bytes: 10 * GIB }],
      checkpointBytes: 20e6,
      inference,
      mergeable: inference === 'mergeable',
      extraInferenceShare: share,
      surveyFindings: [],
    });
    const fit = { step: 'as-given' as const, bytes: 10 * GIB };
    const score = (f: MethodFacts, latency: boolean) => scoreMethod(f, fit, { tasks: 10, latency }, 24 * GIB, 13.5e9, {}).score;
    const merged = facts('mergeable', 0);
    const modules = facts('extra-modules', 0.001);
    const tokens = facts('longer-input', 0.016);
    expect(score(merged, true)).toBeGreaterThan(score(modules, true));
    expect(score(modules, true)).toBeGreaterThan(score(tokens, true));
    // The gap: the full 20 against at most half of it.
    expect(score(merged, true) - score(modules, true)).toBeGreaterThanOrEqual(WEIGHTS.inferenceLatency / 2);
    // Without latency the gap is at most the 5 throughput points.
    expect(score(merged, false) - score(modules, false)).toBeLessThanOrEqual(WEIGHTS.inferenceThroughput);
    // At INFERENCE_ZERO_SHARE extra compute, nothing is left.
    expect(scoreMethod(facts('extra-modules', INFERENCE_ZERO_SHARE), fit, { tasks: 1, latency: true }, 24 * GIB, 13.5e9, {}).parts.find((p) => p.criterion === 'inference')!.points).toBe(0);
  });

  it('on the real registry, latency moves adapters (extra modules) below the mergeable low-rank methods it ties or beats without it', () => {
    const noLatency = rankMethods(input({ memoryGiB: 80, tasks: 10, latency: false }));
    const latency = rankMethods(input({ memoryGiB: 80, tasks: 10, latency: true }));
    expect(rankOf(latency, 'adapters')).toBeGreaterThan(rankOf(noLatency, 'adapters'));
    expect(rankOf(latency, 'adapters')).toBeGreaterThan(rankOf(latency, 'dora'));
    expect(rankOf(noLatency, 'adapters')).toBeLessThan(rankOf(noLatency, 'dora'));
  });

  it('tiny GPU memory: nothing fits, and the answer names the smallest need (Attention Fusion, 7.4 GiB with NF4 and checkpointing)', () => {
    const a = rankMethods(input({ memoryGiB: 2 }));
    expect(a.ranked).toEqual([]);
    expect(a.smallestNeeded).not.toBeNull();
    const least = a.smallestNeeded!;
    expect(least.bytes).toBe(Math.min(...a.doesNotFit.map((d) => d.bytes)));
    expect(least.id).toBe('attention-fusion');
    expect(least.step).toBe('nf4');
    expect(least.bytes / GIB).toBeCloseTo(7.4, 1);
    const m = findPeftMethod('attention-fusion');
    const f = methodFacts(m, llama, DEFAULT_SETUP);
    expect('memory' in f && f.memory.at(-1)!.bytes).toBe(least.bytes);
    expect(least.bytes).toBe(trainingMemory(llama.arch, m, estimate(llama, m.id, {}, DEFAULT_SETUP).config, stepSetup('nf4', DEFAULT_SETUP)).total);
    // Every method is accounted for: in the list that does not fit or the one that does not apply.
    expect(a.doesNotFit.length + a.notApplicable.length).toBe(METHODS.length);
  });

  it('is deterministic, and every method is either ranked, too large or not applicable', () => {
    const a = rankMethods(input({ memoryGiB: 24, tasks: 10, latency: true }));
    const b = rankMethods(input({ memoryGiB: 24, tasks: 10, latency: true }));
    expect(b).toEqual(a);
    expect(a.ranked.length + a.doesNotFit.length + a.notApplicable.length).toBe(METHODS.length);
    expect(a.ranked.map((r) => r.rank)).toEqual(a.ranked.map((_, i) => i + 1));
    for (let i = 1; i < a.ranked.length; i++) expect(a.ranked[i - 1]!.score).toBeGreaterThanOrEqual(a.ranked[i]!.score);
    for (const r of a.ranked) {
      expect(r.score).toBeCloseTo(r.parts.reduce((s, p) => s + p.points, 0), 5);
      expect(r.fit.bytes).toBeLessThanOrEqual(24 * GIB);
      for (const p of r.parts) {
        expect(p.points).toBeGreaterThanOrEqual(0);
        expect(p.points).toBeLessThanOrEqual(p.max);
        expect(p.text).not.toMatch(/NaN|Infinity/);
      }
    }
  });

  it('scores toy quality from the measured results, and says so when a method was not measured', () => {
    const toy: ToyResults = { lora: [{ task: 'topic', mean: 0.85, std: 0.03, n: 3 }], 'prompt-tuning': [{ task: 'topic', mean: 0, std: 0, n: 3 }] };
    const a = rankMethods(input({ tasks: 10 }), toy);
    const part = (id: string) => a.ranked.find((r) => r.id === id)!.parts.find((p) => p.criterion === 'quality')!;
    expect(part('lora')).toMatchObject({ points: 17, text: 'Toy held-out exact match: topic 0.85 ± 0.03 (3 seeds); mean 0.85.' });
    expect(part('prompt-tuning').points).toBe(0);
    expect(part('adapters')).toMatchObject({ points: UNMEASURED_QUALITY, text: 'Not measured on the toy yet: counted as 10 of 20, neither credit nor penalty.' });
    // A poor toy result moves prompt tuning down against the same input without toy data.
    expect(rankOf(a, 'prompt-tuning')).toBeGreaterThan(rankOf(rankMethods(input({ tasks: 10 })), 'prompt-tuning'));
  });
});

describe('storagePart', () => {
  it('gives full points at ≤1% of the base model, none at ≥100×, and log-linear points between', () => {
    expect(storagePart(1e6, 1, 1e9).points).toBe(WEIGHTS.storage); // 0.1%
    expect(storagePart(1e9, 100, 1e9).points).toBe(0); // 100×
    expect(storagePart(1e9, 1, 1e9).points).toBe(12.5); // 1×: half-way on the log scale
  });
});

describe('surveyFindingsFor', () => {
  it('applies the checked findings only to the methods they name', () => {
    const ids = (id: string) => surveyFindingsFor(findPeftMethod(id)).map((f) => f.id);
    expect(ids('lora')).toEqual(['practical-at-scale', 'low-rank', 'strong-baseline']);
    expect(ids('adapters')).toEqual(['practical-at-scale']);
    expect(ids('prompt-tuning')).toEqual(['practical-at-scale']);
    expect(ids('ia3')).toEqual(['practical-at-scale']);
    expect(ids('krona')).toEqual(['low-rank']);
    expect(ids('dora')).toEqual(['low-rank']);
    expect(ids('oft')).toEqual([]); // orthogonal, not low-rank
    expect(ids('lst')).toEqual(['lst-memory']);
    expect(ids('diff-pruning')).toEqual(['diff-pruning-trains']);
    expect(ids('full-fine-tuning')).toEqual([]);
    // The low-rank finding covers exactly the methods with a rank hyperparameter, and KronA.
    const lowRank = METHODS.filter((m) => surveyFindingsFor(m).some((f) => f.id === 'low-rank')).map((m) => m.id);
    expect(lowRank.sort()).toEqual(['adalora', 'dora', 'krona', 'loha', 'lokr', 'lora', 'lora-fa', 'pissa', 'qlora', 'relora', 'vera']);
  });

  it('caps the survey points at the survey weight and cites every finding', () => {
    const a = rankMethods(input());
    const lora = a.ranked.find((r) => r.id === 'lora')!.parts.find((p) => p.criterion === 'survey')!;
    expect(lora.points).toBe(15);
    expect(lora.points).toBeLessThanOrEqual(WEIGHTS.survey);
    expect(lora.findings!.map((f) => f.cite)).toEqual(['Lialin et al. 2023, §14', 'Lialin et al. 2023, §14', 'Lialin et al. 2024 (v2), abstract']);
    expect(a.ranked.find((r) => r.id === 'full-fine-tuning')).toBeUndefined();
  });
});

describe('validateGuideNumbers', () => {
  const ok = { memoryGiB: 24, tasks: 10, batchSize: 8, sequenceLength: 512 };
  it('accepts sensible input and rejects impossible values with a sentence per field', () => {
    expect(validateGuideNumbers(ok)).toEqual({});
    expect(validateGuideNumbers({ ...ok, memoryGiB: 0.5 })).toEqual({});
    for (const memoryGiB of [-3, 0, NaN, Infinity, 10_001]) expect(validateGuideNumbers({ ...ok, memoryGiB }).memory, String(memoryGiB)).toMatch(/GPU memory must be/);
    for (const tasks of [0, 1.5, 10_001, NaN]) expect(validateGuideNumbers({ ...ok, tasks }).tasks, String(tasks)).toMatch(/Tasks must be a whole number from 1 to 10,000/);
    expect(Object.keys(validateGuideNumbers({ memoryGiB: -1, tasks: 0, batchSize: 0, sequenceLength: 0 })).sort()).toEqual(['batch', 'memory', 'seq', 'tasks']);
  });
});
