import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Architecture } from '../arch';
import { resolveConfig } from '../method-api/config';
import type { MethodConfig, PeftMethod } from '../method-api/types';
import { toyArchitecture } from '../model/toy-arch';
import { findModel } from '../models';
import { METHODS } from '../registry';
import { largestFitting } from './fits';
import { type MemoryBreakdown, trainingMemory } from './memory';
import { ATTENTIONS, OPTIMIZERS, PRECISIONS, RECIPES, SHARDINGS, type TrainingSetup, validateSetup } from './setup';

/**
 * Properties of the memory model over random setups (fast-check): whatever the settings, every
 * part is a finite, non-negative number of bytes, the parts add up, and memory never shrinks when
 * the batch or the sequence grows (which "what fits" relies on for its binary search).
 */

const ARCHS: Architecture[] = [toyArchitecture(), findModel('gpt2').arch, findModel('t5-base').arch, findModel('meta-llama/Llama-2-7b-hf').arch, findModel('bert-base-uncased').arch];
const CASES: { arch: Architecture; method: PeftMethod; config: MethodConfig }[] = ARCHS.flatMap((arch) =>
  METHODS.map((method) => ({ arch, method, config: resolveConfig(method, arch, {}) })),
);

const setupArb: fc.Arbitrary<TrainingSetup> = fc
  .record({
    batchSize: fc.integer({ min: 1, max: 64 }),
    sequenceLength: fc.integer({ min: 1, max: 8192 }),
    targetLength: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: null }),
    meanShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    task: fc.constantFrom('lm' as const, 'classification' as const),
    numLabels: fc.integer({ min: 1, max: 1000 }),
    precision: fc.constantFrom(...PRECISIONS),
    recipe: fc.constantFrom(...RECIPES),
    attention: fc.constantFrom(...ATTENTIONS),
    optimizer: fc.constantFrom(...OPTIMIZERS),
    gradientCheckpointing: fc.boolean(),
    activationOffloading: fc.boolean(),
    chunkedLoss: fc.boolean(),
    gpus: fc.integer({ min: 1, max: 64 }),
    sharding: fc.constantFrom(...SHARDINGS),
    offloadChoice: fc.integer({ min: 0, max: 2 }),
    optimizerInBackward: fc.boolean(),
  })
  .map(({ meanShare, offloadChoice, ...s }) => {
    // Only combinations validateSetup accepts: offload needs a ZeRO stage (weights: stage 3),
    // optimizer-in-backward needs no sharding.
    const offload = s.sharding === 'ddp' ? 'none' : offloadChoice === 2 && s.sharding === 'zero3' ? 'optimizer+params' : offloadChoice >= 1 ? 'optimizer' : 'none';
    return {
      ...s,
      meanLength: meanShare === null ? null : Math.max(1, Math.floor(meanShare * s.sequenceLength)),
      offload,
      optimizerInBackward: s.optimizerInBackward && s.sharding === 'ddp',
      modulesToSave: [],
      vocabSize: null,
    } satisfies TrainingSetup;
  });

const caseArb = fc.integer({ min: 0, max: CASES.length - 1 }).map((i) => CASES[i] as (typeof CASES)[number]);
const PARTS = ['weights', 'gradients', 'optimizerState', 'masterWeights', 'activations', 'overhead'] as const;

describe('memory model properties (fast-check)', () => {
  it('accepts every generated setup', () => {
    fc.assert(fc.property(setupArb, (s) => validateSetup(s) === undefined), { numRuns: 300 });
  });

  it('gives finite, non-negative parts that add up to the total, and CPU and pageable bytes that are finite too', () => {
    fc.assert(
      fc.property(caseArb, setupArb, ({ arch, method, config }, s) => {
        const m: MemoryBreakdown = trainingMemory(arch, method, config, s);
        for (const v of Object.values(m)) expect(Number.isFinite(v) && v >= 0).toBe(true);
        const sum = PARTS.reduce((a, k) => a + m[k], 0);
        expect(Math.abs(sum - m.total)).toBeLessThanOrEqual(1e-6 * m.total);
        expect(m.pageable).toBeLessThanOrEqual(m.optimizerState);
      }),
      { numRuns: 400 },
    );
  });

  it('never shrinks when the batch grows', () => {
    fc.assert(
      fc.property(caseArb, setupArb, fc.integer({ min: 1, max: 64 }), ({ arch, method, config }, s, more) => {
        const a = trainingMemory(arch, method, config, s).total;
        const b = trainingMemory(arch, method, config, { ...s, batchSize: s.batchSize + more }).total;
        expect(b).toBeGreaterThanOrEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('never shrinks when the sequence grows (the mean length with it, as a share)', () => {
    fc.assert(
      fc.property(caseArb, setupArb, fc.integer({ min: 1, max: 4096 }), ({ arch, method, config }, s, more) => {
        const longer = { ...s, sequenceLength: s.sequenceLength + more, targetLength: s.targetLength === null ? null : s.targetLength + more, meanLength: s.meanLength === null ? null : s.meanLength + more };
        expect(trainingMemory(arch, method, config, longer).total).toBeGreaterThanOrEqual(trainingMemory(arch, method, config, s).total);
      }),
      { numRuns: 300 },
    );
  });

  it('never grows when more GPUs share the work under a ZeRO stage', () => {
    fc.assert(
      fc.property(caseArb, setupArb, fc.integer({ min: 1, max: 64 }), ({ arch, method, config }, s, more) => {
        const sharded = { ...s, sharding: s.sharding === 'ddp' ? ('zero3' as const) : s.sharding, optimizerInBackward: false };
        const a = trainingMemory(arch, method, config, sharded).total;
        const b = trainingMemory(arch, method, config, { ...sharded, gpus: sharded.gpus + more }).total;
        expect(b).toBeLessThanOrEqual(a + 1e-6 * a);
      }),
      { numRuns: 200 },
    );
  });
});

describe('largestFitting', () => {
  it('finds the boundary of any monotone predicate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_100_000 }), (max, limit) => {
        expect(largestFitting(max, (n) => n <= limit)).toBe(Math.min(max, limit));
      }),
    );
  });
});
