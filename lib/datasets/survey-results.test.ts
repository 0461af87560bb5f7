import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import survey from '@/content/data/survey-v2-experiments.json';
import { surveyCounts } from '@/lib/peft/testing/survey';
import { surveyResultsProblems } from './checks';
import { surveyResultsCsv } from './csv-writers';
import { DATASETS, loadSurveyResults, parseSurveyResults } from './load';
import { SURVEY_CONFIGS, ourSurveyCount } from './survey-configs';
import { buildSurveyResults } from './survey-results-build';

const data = loadSurveyResults();

describe('content/data/survey-results.json', () => {
  it('validates, breaks none of the checks, and is what the build makes from the curated source', () => {
    expect(surveyResultsProblems(data)).toEqual([]);
    expect(data).toEqual(buildSurveyResults());
  });

  it('has a record for every measured count and throughput in the source, and no scores', () => {
    const counts = survey.trainable_params.reduce((n, r) => n + [r['t5-large'], r['t5-3b'], r['t5-11b']].filter((v) => typeof v === 'number').length, 0);
    expect(data.records.filter((r) => r.measure === 'trainable-params')).toHaveLength(counts);
    expect(data.records.filter((r) => r.measure === 'eval-examples-per-s-per-gpu')).toHaveLength(survey.eval_throughput.rows.length);
    expect(data.missing).toMatch(/could not be retrieved/);
  });

  it("has our registry's count equal to the authors' for every mapped configuration", () => {
    for (const row of survey.trainable_params) {
      for (const [model, count] of surveyCounts(row.config)) {
        const record = data.records.find((r) => r.config === row.config && r.model === model && r.measure === 'trainable-params');
        expect(record?.value).toBe(count);
        expect(record?.ours, `${row.config} on ${model}`).toBe(ourSurveyCount(row.config, model));
        expect(record?.ours, `${row.config} on ${model}`).toBe(count);
      }
    }
  });

  it('maps every configuration of the source, and the mapping is used by the records', () => {
    const configs = new Set([...survey.trainable_params.map((r) => r.config), ...survey.eval_throughput.rows.map((r) => r.config)]);
    for (const c of configs) expect(SURVEY_CONFIGS[c], c).toBeDefined();
    expect(data.records.find((r) => r.config === 'hf_krona')?.method).toBe('lokr');
    expect(data.records.find((r) => r.config === 'hf_krona')?.caveat).toMatch(/LoKr/);
  });

  it('carries the throughput caveat and the source on every throughput record', () => {
    for (const r of data.records.filter((x) => x.measure === 'eval-examples-per-s-per-gpu')) {
      expect(r.ours).toBeNull();
      expect(r.caveat).toMatch(/relative comparison only/);
      expect(r.provenance.source).toBe(survey.source);
    }
  });

  it('has its CSV beside it, in step with the JSON', () => {
    expect(readFileSync(DATASETS['survey-results'].replace(/\.json$/, '.csv'), 'utf8')).toBe(surveyResultsCsv(data));
  });

  it('a bad file fails naming the file and the field; the checks catch a wrong count of ours', () => {
    const raw = JSON.parse(readFileSync(DATASETS['survey-results'], 'utf8'));
    raw.records[0].measure = 'accuracy';
    expect(() => parseSurveyResults(raw)).toThrow(/survey-results\.json[\s\S]*records\.0\.measure/);
    const bad = structuredClone(data);
    bad.records[0]!.ours = 1;
    expect(surveyResultsProblems(bad).join('\n')).toMatch(/ours is 1, our registry computes/);
  });
});
