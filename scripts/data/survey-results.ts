/**
 * content/data/survey-results.json (+ .csv) from the curated content/data/survey-v2-experiments.json.
 *   npx tsx scripts/data/survey-results.ts [--out content/data/survey-results.json]
 */
import { pathToFileURL } from 'node:url';
import { surveyResultsSchema } from '@/lib/datasets/survey-results';
import { buildSurveyResults } from '@/lib/datasets/survey-results-build';
import { surveyResultsCsv } from '@/lib/datasets/csv-writers';
import { writeDataset } from './write';

export function writeSurveyResults(out = 'content/data/survey-results.json'): void {
  const data = buildSurveyResults();
  const bytes = writeDataset(surveyResultsSchema, data, out, surveyResultsCsv, 'records');
  const compared = data.records.filter((r) => r.ours !== null);
  const agree = compared.filter((r) => r.ours === r.value).length;
  console.log(`survey results: ${data.records.length} records, our count agrees on ${agree} of ${compared.length}; ${(bytes / 1024).toFixed(0)} KiB → ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--out');
  writeSurveyResults(i === -1 ? undefined : process.argv[i + 1]);
}
