import { describe, expect, it } from 'vitest';
import type { SurveyRecord } from '@/lib/datasets/survey-results';
import { compareCounts, humanKey, protocolText, sourceText, surveyLines } from './survey-view';

const MODELS = ['t5-large', 't5-3b', 't5-11b'] as const;

function rec(config: string, model: SurveyRecord['model'], measure: SurveyRecord['measure'], value: number, ours: number | null, caveat: string | null = null): SurveyRecord {
  return { config, method: config === 'houlsby' ? 'adapters' : null, model, measure, value, ours, caveat, provenance: { source: 'xw-yao/peft_comparison', detail: 'notebook 18' } };
}

describe('compareCounts', () => {
  it('says match, differs (with the relative gap) or not computed', () => {
    expect(compareCounts(100, 100)).toEqual({ verdict: 'match', difference: null });
    expect(compareCounts(100, 102)).toEqual({ verdict: 'differs', difference: 0.02 });
    expect(compareCounts(100, null)).toEqual({ verdict: 'not-computed', difference: null });
    expect(compareCounts(null, 5)).toEqual({ verdict: null, difference: null });
  });
});

describe('surveyLines', () => {
  const records = [
    rec('houlsby', 't5-large', 'trainable-params', 12_687_360, 12_687_360),
    rec('houlsby', 't5-3b', 'trainable-params', 12_687_360, 12_700_000),
    rec('houlsby', 't5-large', 'eval-examples-per-s-per-gpu', 35.71, null, 'large std'),
    rec('mam', 't5-large', 'trainable-params', 171_069_840, null, 'T5-11B: no training run'),
  ];
  const lines = surveyLines(records, MODELS);

  it('makes one line per configuration in first-seen order, a cell per model', () => {
    expect(lines.map((l) => l.config)).toEqual(['houlsby', 'mam']);
    expect(Object.keys(lines[0]!.cells)).toEqual([...MODELS]);
    expect(lines[0]!.method).toBe('adapters');
  });

  it('puts counts, verdicts and throughput in the right cells and leaves the rest empty', () => {
    const h = lines[0]!.cells;
    expect(h['t5-large']).toMatchObject({ theirs: 12_687_360, ours: 12_687_360, verdict: 'match', throughput: 35.71, throughputCaveats: ['large std'], countCaveats: [] });
    expect(h['t5-3b']!.verdict).toBe('differs');
    expect(h['t5-3b']!.difference).toBeCloseTo((12_700_000 - 12_687_360) / 12_687_360, 12);
    expect(h['t5-11b']).toMatchObject({ theirs: null, verdict: null, throughput: null });
    expect(lines[1]!.cells['t5-large']).toMatchObject({ verdict: 'not-computed', countCaveats: ['T5-11B: no training run'] });
  });

  it('records each source once per cell', () => {
    expect(lines[0]!.cells['t5-large']!.sources).toEqual(['xw-yao/peft_comparison (notebook 18)']);
  });
});

describe('protocol text', () => {
  it('writes lists, nested objects and field names readably', () => {
    expect(protocolText([0.001, 0.0001])).toBe('0.001, 0.0001');
    expect(protocolText({ classification: 3, cnn_dailymail: 1 })).toBe('classification: 3; cnn dailymail: 1');
    expect(protocolText(null)).toBe('—');
    expect(humanKey('max_source_len')).toBe('max source len');
    expect(sourceText({ source: 'a repo' })).toBe('a repo');
  });
});
