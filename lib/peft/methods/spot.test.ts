import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import type { CalibrationContext, FitOptions, HyperParam, PeftMethod } from '../method-api/types';
import { findModel } from '../models';
import { createRng } from '../model/random';
import { findTask, taskBatch } from '../model/tasks';
import { ToyModel } from '../model/transformer';
import { fixedBatch, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { evaluate } from '../train/trainer';
import { promptTuning } from './prompt-tuning';
import { MIXTURE_CHUNK, fitMixture, sourceTasks, spot } from './spot';

type SpotConfig = Parameters<typeof spot.trainableParams>[1];

/** The method with a toy source phase of `steps` steps by default and in its toy config. */
function withSourceSteps<M extends PeftMethod>(method: M, steps: number): M {
  const shorter = (h: HyperParam): HyperParam => (h.key === 'sourceSteps' && h.kind === 'int' ? { ...h, default: steps } : h);
  return { ...method, hyperparams: method.hyperparams.map(shorter), toyConfig: { ...method.toyConfig, sourceSteps: steps } };
}

// The contract's checks (counts, anatomy, frozen weights, leaks, a falling loss) do not depend on how
// long the source phase is; a short one keeps them fast. The transfer itself is tested below.
methodContract(withSourceSteps(spot, 3), { configs: [{ tokens: 3, sources: 'shift' }] });

beforeAll(useTestBackend);

describe('SPoT: sources and the mixture', () => {
  it('takes its sources from the target’s group, from every other task, or one named task, never the target itself', () => {
    expect(sourceTasks('group', 'stray')).toEqual(['topic', 'pair', 'first']);
    expect(sourceTasks('group', 'reverse')).toEqual(['shift', 'echo']);
    expect(sourceTasks('all', 'reverse')).toEqual(['topic', 'stray', 'pair', 'first', 'shift', 'echo']);
    expect(sourceTasks('shift', 'reverse')).toEqual(['shift']);
    expect(sourceTasks('reverse', 'reverse')).toEqual([]);
  });

  it('trains a mixture round-robin in chunks, exactly the steps asked for, one task alone in one fit', () => {
    const calls: [string, number][] = [];
    const ctx = { fit: (o: FitOptions) => (calls.push([o.task, o.steps]), { loss: 1, accuracy: 0 }) } as unknown as CalibrationContext;
    const options = { trainable: [], hooks: {}, learningRate: 0.1 };
    fitMixture(ctx, ['topic', 'pair', 'first'], 3 * MIXTURE_CHUNK + 10, options);
    expect(calls).toEqual([
      ['topic', MIXTURE_CHUNK],
      ['pair', MIXTURE_CHUNK],
      ['first', MIXTURE_CHUNK],
      ['topic', 10],
    ]);
    calls.length = 0;
    // A short phase is shared evenly: every task gets steps.
    fitMixture(ctx, ['topic', 'pair', 'first'], 7, options);
    expect(calls).toEqual([
      ['topic', 3],
      ['pair', 3],
      ['first', 1],
    ]);
    calls.length = 0;
    fitMixture(ctx, ['shift'], 70, options);
    expect(calls).toEqual([['shift', 70]]);
  });
});

describe('SPoT on the toy', () => {
  const promptValues = (applied: { trainable: tf.Variable[] }) => applied.trainable[0]!.dataSync().slice();

  it('is prompt tuning, step for step, with no source steps', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const a = spot.apply(model, resolveConfig<SpotConfig>(spot, model.arch, { tokens: 4, sourceSteps: 0 }), { seed: 7 });
    const b = promptTuning.apply(model, resolveConfig(promptTuning, model.arch, { tokens: 4 }), { seed: 7 });
    const ta = trainerFor(model, a, { steps: 3, learningRate: 0.03 });
    const tb = trainerFor(model, b, { steps: 3, learningRate: 0.03 });
    expect(promptValues(a)).toEqual(promptValues(b));
    for (let i = 0; i < 3; i++) {
      ta.step(fixedBatch(i));
      tb.step(fixedBatch(i));
    }
    expect(promptValues(a)).toEqual(promptValues(b));
    for (const x of [ta, tb, a, b]) x.dispose();
    model.dispose();
  });

  it('starts the target run from a prompt tuned on the source task: its source loss falls, then the target trains it', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const config = resolveConfig<SpotConfig>(spot, model.arch, { tokens: 4, sources: 'shift', sourceSteps: 30 });
    const applied = spot.apply(model, config, { seed: 2 });
    const shift = taskBatch(findTask('shift'), createRng(5), 32, model.dims.context);
    const before = { values: promptValues(applied), loss: evaluate(model, applied, shift).loss };
    const trainer = trainerFor(model, applied, { steps: 2, learningRate: 0.03, task: findTask('reverse') });
    const sourced = promptValues(applied);
    expect(sourced).not.toEqual(before.values);
    expect(evaluate(model, applied, shift).loss).toBeLessThan(before.loss);
    trainer.step(fixedBatch(1));
    expect(promptValues(applied)).not.toEqual(sourced);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('SPoT counts (prompt tuning’s, HF PEFT PromptTuningConfig)', () => {
  it('bloomz-560m, 8 virtual tokens: 8,192, as HF PEFT prints in its prompt tuning docs', () => {
    // huggingface/peft docs/source/package_reference/prompt_tuning.md: "trainable params: 8,192 || all params: 559,222,784".
    const arch = findModel('bigscience/bloomz-560m').arch;
    expect(spot.trainableParams(arch, resolveConfig<SpotConfig>(spot, arch, { tokens: 8 }))).toBe(8_192);
  });

  it('Flan-T5-XXL, 100 tokens: HF PEFT’s two prompts, twice the paper’s encoder prompt of 100 × 4096', () => {
    // The paper's T5 1.1 XXL prompt: 100 × 4,096 = 409,600 numbers, which its abstract puts at "up to
    // 27,000× fewer task-specific parameters" than the ~11B model (11.1e9 / 409,600 ≈ 27,100). HF PEFT's
    // PromptTuningConfig with task_type SEQ_2_SEQ_LM holds num_virtual_tokens × 2 rows.
    const arch = findModel('google/flan-t5-xxl').arch;
    const config = resolveConfig<SpotConfig>(spot, arch, { tokens: 100 });
    expect(spot.trainableParams(arch, config)).toBe(2 * 409_600);
    expect(spot.trainableParams(arch, config)).toBe(promptTuning.trainableParams(arch, { tokens: 100 }));
  });

  it('leaves its source settings out of every count', () => {
    const arch = findModel('gpt2').arch;
    const counts = [0, 500].map((sourceSteps) => spot.trainableParams(arch, resolveConfig<SpotConfig>(spot, arch, { tokens: 20, sourceSteps, sources: 'all' })));
    expect(counts).toEqual([20 * 768, 20 * 768]);
  });
});
