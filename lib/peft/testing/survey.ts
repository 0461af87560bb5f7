import survey from '@/content/data/survey-v2-experiments.json';

export const SURVEY_MODELS = ['t5-large', 't5-3b', 't5-11b'] as const;

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
