import { z } from 'zod';
import { provenanceSchema } from './provenance';

/**
 * The survey's v2 head-to-head experiments as records (content/data/survey-results.json, written
 * by scripts/data/survey-results.ts from the curated content/data/survey-v2-experiments.json).
 * Only what the authors' experiment code measured is here: trainable-parameter counts and
 * evaluation throughput. Their accuracy and ROUGE tables could not be retrieved, so there are no
 * score records, and none may be invented.
 */

export const SURVEY_MODELS = ['t5-large', 't5-3b', 't5-11b'] as const;

export const surveyRecordSchema = z
  .object({
    /** The experiment's configuration name in the authors' code (houlsby, hf_lora_all, ...). */
    config: z.string().min(1),
    /** Our taxonomy id for it, or null where no method of ours corresponds. */
    method: z.string().nullable(),
    model: z.enum(SURVEY_MODELS),
    measure: z.enum(['trainable-params', 'eval-examples-per-s-per-gpu']),
    value: z.number().finite().nonnegative(),
    /** Our analytic count for the same configuration, where we compute one (trainable-params only). */
    ours: z.number().int().nonnegative().nullable(),
    /** The authors' or our caveat, shown with the number. */
    caveat: z.string().nullable(),
    provenance: provenanceSchema,
  })
  .strict();

export const surveyResultsSchema = z
  .object({
    about: z.string().min(20),
    /** The protocol of the experiments, as the authors' scripts set it. */
    protocol: z.record(z.string(), z.unknown()),
    tasks: z.array(z.object({ id: z.string(), metric: z.string(), note: z.string().optional() }).strict()),
    configs: z.record(z.string(), z.string()),
    /** Why there are no accuracy/ROUGE records: said on every page that shows this dataset. */
    missing: z.string().min(20),
    records: z.array(surveyRecordSchema).min(1),
  })
  .strict();

export type SurveyRecord = z.infer<typeof surveyRecordSchema>;
export type SurveyResults = z.infer<typeof surveyResultsSchema>;
