import survey from '@/content/data/survey-v2-experiments.json';
import { SURVEY_MODELS } from '@/lib/datasets/survey-results';

// The survey's models and its configurations' mapping to our methods live with the survey dataset
// (lib/datasets/survey-results.ts, survey-configs.ts), shared by the methods' tests and the dataset.
export { SURVEY_MODELS };
export { SURVEY_CONFIGS, ourSurveyCount, surveyConfig } from '@/lib/datasets/survey-configs';

/**
 * The trainable-parameter counts the survey authors' experiment code measured for one
 * configuration (content/data/survey-v2-experiments.json), per model; models without a measured
 * count are left out. Throws for a configuration the dataset does not have.
 */
export function surveyCounts(config: string): [model: (typeof SURVEY_MODELS)[number], count: number][] {
  const row = survey.trainable_params.find((r) => r.config === config);
  if (!row) throw new Error(`the survey dataset has no configuration "${config}"`);
  return SURVEY_MODELS.flatMap((m) => (typeof row[m] === 'number' ? [[m, row[m]] as [(typeof SURVEY_MODELS)[number], number]] : []));
}
