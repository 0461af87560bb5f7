// Validates the datasets that reach the browser unvalidated (to keep zod out of client bundles)
// before `next build` runs; a bad file stops the build with the file and field named.
import raw from '@/content/data/models.json';
import { ContentError } from '@/lib/content/validate';
import { parseModels } from '@/lib/peft/models-schema';
// Importing the taxonomy validates it (and fails here, before a long build, when it is wrong).
import { taxonomy } from '@/lib/peft/taxonomy';
import { analyticCostsProblems, surveyResultsProblems, toyBenchmarkProblems } from '@/lib/datasets/checks';
import { DATASETS, loadAnalyticCosts, loadSurveyResults, loadToyBenchmark } from '@/lib/datasets/load';

try {
  const models = parseModels(raw);
  console.log(`content/data checked: ${models.length} models, ${taxonomy.methods.length} taxonomy methods`);
  // The benchmark datasets: their schemas, then what must agree within them and with the registry.
  const toy = loadToyBenchmark();
  const costs = loadAnalyticCosts();
  const survey = loadSurveyResults();
  const problems = [
    ...toyBenchmarkProblems(toy).map((p) => `${DATASETS['toy-benchmark']}: ${p}`),
    ...analyticCostsProblems(costs).map((p) => `${DATASETS['analytic-costs']}: ${p}`),
    ...surveyResultsProblems(survey).map((p) => `${DATASETS['survey-results']}: ${p}`),
  ];
  if (problems.length > 0) {
    console.error(`benchmark datasets disagree with themselves or the registry (rebuild with npm run data):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`benchmark datasets checked: toy ${toy.rows.length} rows, analytic costs ${costs.rows.length} rows, survey ${survey.records.length} records`);
} catch (err) {
  console.error(err instanceof ContentError ? err.message : err);
  process.exit(1);
}
