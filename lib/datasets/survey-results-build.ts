import survey from '@/content/data/survey-v2-experiments.json';
import { SURVEY_MODELS, type SurveyRecord, type SurveyResults } from './survey-results';
import { ourSurveyCount, surveyConfig } from './survey-configs';

/**
 * content/data/survey-results.json from the curated content/data/survey-v2-experiments.json (the
 * source, kept as curated): one record per measured number, with our own count beside the
 * authors' where we compute one. scripts/data/survey-results.ts writes it; the tests rebuild it.
 */

type SurveyModel = (typeof SURVEY_MODELS)[number];

const MODEL_NAMES: Readonly<Record<string, SurveyModel>> = { 'T5-Large': 't5-large', 'T5-3B': 't5-3b', 'T5-11B': 't5-11b' };

export const SURVEY_MISSING =
  "The survey's v2 accuracy (RTE, COPA, BoolQ) and ROUGE-L (CNN/DailyMail) results could not be retrieved when the source dataset was curated (content/data/survey-v2-experiments.json says so), so there are no score records here: none are filled in, estimated or recalled. Only what the authors' experiment code and notebook hold is: trainable-parameter counts and evaluation throughput.";

export function buildSurveyResults(): SurveyResults {
  const source = survey.source;
  const records: SurveyRecord[] = [];
  for (const row of survey.trainable_params) {
    const mapped = surveyConfig(row.config);
    for (const model of SURVEY_MODELS) {
      const value = row[model];
      if (typeof value !== 'number') continue;
      const ours = ourSurveyCount(row.config, model);
      const disagreement = ours !== null && ours !== value ? `Our count (${ours.toLocaleString('en-US')}) differs from the authors'.` : null;
      const caveat = [mapped.caveat, disagreement].filter(Boolean).join(' ') || null;
      records.push({
        config: row.config,
        method: mapped.method,
        model,
        measure: 'trainable-params',
        value,
        ours,
        caveat,
        provenance: { source, detail: "trainable parameters as the authors' experiment code counted them (notebook 18_dataset_average_table.ipynb)" },
      });
    }
  }
  const throughput = survey.eval_throughput;
  for (const row of throughput.rows) {
    const model = MODEL_NAMES[row.model];
    if (!model) throw new Error(`survey-v2-experiments.json: unknown model "${row.model}" in eval_throughput`);
    const mapped = surveyConfig(row.config);
    records.push({
      config: row.config,
      method: mapped.method,
      model,
      measure: 'eval-examples-per-s-per-gpu',
      value: row.eval_examples_per_s_per_gpu,
      ours: null,
      caveat: `${throughput.unit}; ${throughput.caveat}.`,
      provenance: { source, detail: 'evaluation throughput, notebook 18_dataset_average_table.ipynb' },
    });
  }
  return {
    about:
      "The v2 head-to-head experiments of Lialin et al. (arXiv 2303.15647v2) as the authors' experiment repository records them: trainable-parameter counts and evaluation throughput per configuration and T5 model, each with its source and caveat, and our own count for the same configuration where we compute one. Built by scripts/data/survey-results.ts from content/data/survey-v2-experiments.json.",
    protocol: survey.protocol,
    tasks: survey.tasks,
    configs: survey.method_configs,
    missing: SURVEY_MISSING,
    records,
  };
}
