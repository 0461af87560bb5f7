import { z } from 'zod';
import { provenanceSchema } from './provenance';

/**
 * Analytic costs (content/data/analytic-costs.json, written by scripts/data/analytic-costs.ts from
 * lib/peft/cost): every implemented method on every listed model, at the method's default
 * hyperparameters, under a few standard training setups.
 */

const bytes = z.number().finite().nonnegative();

export const costSetupSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    /** In words, for a table header: "bf16, AdamW, batch 8 × 512". */
    label: z.string().min(3),
    /** The setup's fields that differ from DEFAULT_SETUP (lib/peft/cost/setup.ts). */
    overrides: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  })
  .strict();

export const costRowSchema = z
  .object({
    method: z.string().min(1),
    model: z.string().min(1),
    setup: z.string().min(1),
    /** The default hyperparameters, in words. */
    settings: z.string(),
    trainable: z.number().int().nonnegative(),
    total: z.number().int().positive(),
    checkpointBytes: bytes,
    memory: z
      .object({ weights: bytes, gradients: bytes, optimizer: bytes, activations: bytes, other: bytes, total: bytes })
      .strict(),
    /** A reason the method cannot run on this model (e.g. no encoder–decoder cross-attention), else null. */
    problem: z.string().nullable(),
    provenance: provenanceSchema,
  })
  .strict();

export const analyticCostsSchema = z
  .object({
    about: z.string().min(20),
    generated: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    models: z.array(z.object({ id: z.string(), name: z.string(), totalParams: z.number().int().positive() }).strict()).min(1),
    setups: z.array(costSetupSchema).min(1),
    rows: z.array(costRowSchema),
  })
  .strict();

export type CostSetup = z.infer<typeof costSetupSchema>;
export type CostRow = z.infer<typeof costRowSchema>;
export type AnalyticCosts = z.infer<typeof analyticCostsSchema>;
