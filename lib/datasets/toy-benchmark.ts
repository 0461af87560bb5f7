import { z } from 'zod';
import { TASK_IDS } from '@/lib/peft/model/tasks';
import { provenanceSchema, spreadSchema } from './provenance';

/**
 * The measured toy benchmark (content/data/toy-benchmark.json, written by scripts/benchmark-toy.ts):
 * every implemented method fine-tuning the shipped toy base on every toy task it can train on,
 * over several seeds. Exact match is on the task's held-out set; "target" is the task's target
 * exact match (TASK_TARGETS in lib/peft/model/tasks.ts).
 */

const taskId = z.enum(TASK_IDS);
const hyperValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);

/** One seed's run. */
export const toyRunSchema = z
  .object({
    seed: z.number().int().nonnegative(),
    /** Held-out exact match after the last step, in [0, 1]. */
    finalMetric: z.number().min(0).max(1),
    finalLoss: z.number().finite(),
    /** The first evaluated step at which exact match reached the target; null: never in this run. */
    stepsToTarget: z.number().int().positive().nullable(),
    /** Wall seconds from the start of training (after setup) to that evaluation; null with it. */
    secondsToTarget: z.number().nonnegative().nullable(),
    /** Wall seconds of the whole run, setup and evaluations included. */
    seconds: z.number().positive(),
    /** Median ms per training step, excluding the first steps (kernel compilation). */
    msPerStepMedian: z.number().positive(),
    peakTensorBytes: z.number().int().positive(),
    /** The machine's 1-minute load average when the run ended (os.loadavg): above machine.cores,
     * other processes shared the CPU and the times are slower than the machine can do. */
    loadAverage: z.number().finite().nonnegative().optional(),
  })
  .strict();

export const toyRowSchema = z
  .object({
    method: z.string().min(1),
    task: taskId,
    config: z.record(z.string(), hyperValue),
    learningRate: z.number().positive(),
    trainable: z.number().int().positive(),
    total: z.number().int().positive(),
    /** The base model's held-out exact match before fine-tuning. */
    baseMetric: z.number().min(0).max(1),
    runs: z.array(toyRunSchema).min(1),
    /** Over `runs`: final exact match, and steps/seconds to target over the runs that reached it. */
    summary: z
      .object({
        finalMetric: spreadSchema,
        msPerStep: spreadSchema,
        /** Runs that reached the target, of `runs.length`. */
        reached: z.number().int().nonnegative(),
        stepsToTarget: spreadSchema.nullable(),
        secondsToTarget: spreadSchema.nullable(),
        peakTensorBytes: z.number().int().positive(),
      })
      .strict(),
    provenance: provenanceSchema,
  })
  .strict();

export const toyBenchmarkSchema = z
  .object({
    about: z.string().min(20),
    machine: z
      .object({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        runtime: z.string().min(1),
        backend: z.enum(['wasm', 'cpu', 'webgl', 'webgpu']),
        cpu: z.string().min(1),
        cores: z.number().int().positive(),
      })
      .strict(),
    protocol: z
      .object({
        steps: z.number().int().positive(),
        batchSize: z.number().int().positive(),
        seeds: z.array(z.number().int().nonnegative()).min(1),
        evalEvery: z.number().int().positive(),
        heldOut: z.number().int().positive(),
        targets: z.record(taskId, z.number().min(0).max(1)),
      })
      .strict(),
    rows: z.array(toyRowSchema),
  })
  .strict();

export type ToyRun = z.infer<typeof toyRunSchema>;
export type ToyRow = z.infer<typeof toyRowSchema>;
export type ToyBenchmark = z.infer<typeof toyBenchmarkSchema>;
