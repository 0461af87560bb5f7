import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseContent } from '@/lib/content/validate';
import { analyticCostsSchema, type AnalyticCosts } from './analytic-costs';
import { surveyResultsSchema, type SurveyResults } from './survey-results';
import { toyBenchmarkSchema, type ToyBenchmark } from './toy-benchmark';

/**
 * The three benchmark datasets, read and validated at build time (server components, scripts):
 * a bad file throws a ContentError naming the file and field. Read from disk rather than imported,
 * so a megabyte of JSON never enters a bundle or the type checker. Files are served for download
 * at /data/<name>.json and .csv (scripts/copy-static-assets.mjs copies them to public/data/).
 */

export const DATASETS = {
  'toy-benchmark': 'content/data/toy-benchmark.json',
  'analytic-costs': 'content/data/analytic-costs.json',
  'survey-results': 'content/data/survey-results.json',
} as const;
export type DatasetName = keyof typeof DATASETS;

function readJson(file: string, root: string): unknown {
  return JSON.parse(readFileSync(join(root, file), 'utf8'));
}

export function parseToyBenchmark(raw: unknown, file: string = DATASETS['toy-benchmark']): ToyBenchmark {
  return parseContent(toyBenchmarkSchema, raw, file);
}

export function parseAnalyticCosts(raw: unknown, file: string = DATASETS['analytic-costs']): AnalyticCosts {
  return parseContent(analyticCostsSchema, raw, file);
}

export function parseSurveyResults(raw: unknown, file: string = DATASETS['survey-results']): SurveyResults {
  return parseContent(surveyResultsSchema, raw, file);
}

const cache = new Map<string, unknown>();
function cached<T>(key: string, load: () => T): T {
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key) as T;
}

export function loadToyBenchmark(root = process.cwd()): ToyBenchmark {
  return cached(`toy:${root}`, () => parseToyBenchmark(readJson(DATASETS['toy-benchmark'], root)));
}

export function loadAnalyticCosts(root = process.cwd()): AnalyticCosts {
  return cached(`costs:${root}`, () => parseAnalyticCosts(readJson(DATASETS['analytic-costs'], root)));
}

export function loadSurveyResults(root = process.cwd()): SurveyResults {
  return cached(`survey:${root}`, () => parseSurveyResults(readJson(DATASETS['survey-results'], root)));
}

/** The download path of a dataset file on the site. */
export function datasetHref(name: DatasetName, format: 'json' | 'csv'): string {
  return `/data/${name}.${format}`;
}
