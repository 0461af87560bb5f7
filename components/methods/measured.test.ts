import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type SurveyResults, surveyResultsSchema } from '@/lib/datasets/survey-results';
import { type ToyBenchmark, type ToyRow, toyBenchmarkSchema } from '@/lib/datasets/toy-benchmark';
import { MeasuredPanel } from './MeasuredResults';
import { configKey, formatConfig, formatShareSpread, measuredView, relativeMsPerStep, surveyView, toyRowsFor, toyView } from './measured';

/** A run with only what these tests read varying; the rest is schema-valid filler. */
function run(seed: number, finalMetric: number, stepsToTarget: number | null, secondsToTarget: number | null, ms: number): ToyRow['runs'][number] {
  return { seed, finalMetric, finalLoss: 0.1, stepsToTarget, secondsToTarget, seconds: 40, msPerStepMedian: ms, peakTensorBytes: 468_992 };
}

const PROVENANCE = { source: 'scripts/benchmark-toy.ts', detail: 'npm run bench:toy -- --task topic --method lora' };

function row(method: string, task: ToyRow['task'], over: Partial<ToyRow> & Pick<ToyRow, 'runs' | 'summary'>): ToyRow {
  return {
    method,
    task,
    config: {},
    learningRate: 0.005,
    trainable: 4_096,
    total: 104_960,
    baseMetric: 0,
    provenance: PROVENANCE,
    ...over,
  };
}

const LORA_CONFIG = { r: 8, alpha: 16, targets: ['q_proj', 'v_proj'] };

// Full fine-tuning at 136 ms/step on topic: LoRA's 85 ms/step there is 0.625 of it.
const fullTopic = row('full-fine-tuning', 'topic', {
  learningRate: 0.001,
  trainable: 104_960,
  runs: [run(0, 1, 100, 13.6, 136), run(1, 1, 120, 16.3, 136)],
  summary: {
    finalMetric: { mean: 1, std: 0, n: 2 },
    msPerStep: { mean: 136, std: 0, n: 2 },
    reached: 2,
    stepsToTarget: { mean: 110, std: 14.1421, n: 2 },
    secondsToTarget: { mean: 14.95, std: 1.9092, n: 2 },
    peakTensorBytes: 1_259_520,
  },
});
const loraTopic = row('lora', 'topic', {
  config: LORA_CONFIG,
  runs: [run(0, 0.8516, 180, 15.3, 85), run(1, 0.9141, 150, 12.75, 85), run(2, 0.7891, null, null, 85)],
  summary: {
    finalMetric: { mean: 0.8516, std: 0.0625, n: 3 },
    msPerStep: { mean: 85, std: 0, n: 3 },
    reached: 2,
    stepsToTarget: { mean: 165, std: 21.2132, n: 2 },
    secondsToTarget: { mean: 14.025, std: 1.8031, n: 2 },
    peakTensorBytes: 468_992,
  },
});
// No full fine-tuning row on 'reverse': no relative ms/step. One seed, never reached the target.
const loraReverse = row('lora', 'reverse', {
  config: LORA_CONFIG,
  baseMetric: 0.0078,
  runs: [run(0, 0.25, null, null, 90)],
  summary: {
    finalMetric: { mean: 0.25, std: 0, n: 1 },
    msPerStep: { mean: 90, std: 0, n: 1 },
    reached: 0,
    stepsToTarget: null,
    secondsToTarget: null,
    peakTensorBytes: 470_000,
  },
});

const TOY: ToyBenchmark = {
  about: 'Fixture: a toy benchmark with a few rows for the measured-results tests.',
  machine: { date: '2026-12-01', runtime: 'Node v20.20.2', backend: 'wasm', cpu: 'Intel(R) Xeon(R) Processor', cores: 2 },
  protocol: {
    steps: 300,
    batchSize: 16,
    seeds: [0, 1, 2],
    evalEvery: 10,
    heldOut: 128,
    targets: { topic: 0.75, stray: 0.3, pair: 0.75, first: 0.9, shift: 0.9, reverse: 0.9, echo: 0.9 },
  },
  // Reverse first in the file: the view sorts by task order.
  rows: [loraReverse, fullTopic, loraTopic],
};

const SURVEY_SOURCE = { source: 'github:xw-yao/peft_comparison (HEAD 38f2c9e)', detail: 'notebook 18_dataset_average_table.ipynb' };

const SURVEY: SurveyResults = {
  about: 'Fixture: survey records for the measured-results tests.',
  protocol: { total_batch_size: 32 },
  tasks: [{ id: 'rte', metric: 'accuracy' }],
  configs: { hf_lora: 'LoRA r=8, alpha=8 on q and v (HF PEFT)', hf_lora_all: 'LoRA r=8, alpha=8 on q,k,v,o,wi,wo (HF PEFT)' },
  missing: 'The accuracy and ROUGE tables could not be retrieved: no scores are shown.',
  records: [
    // As the source labels them: count rows with their targets, throughput rows without; T5-3B
    // before T5-Large in the file, while the lines come out T5-Large first.
    { config: 'hf_lora (q,v)', method: 'lora', model: 't5-3b', measure: 'trainable-params', value: 5_898_240, ours: 5_898_240, caveat: 'LoRA as HF PEFT implements it.', provenance: SURVEY_SOURCE },
    { config: 'hf_lora (q,v)', method: 'lora', model: 't5-large', measure: 'trainable-params', value: 2_359_296, ours: 2_359_296, caveat: 'LoRA as HF PEFT implements it.', provenance: SURVEY_SOURCE },
    { config: 'hf_lora', method: 'lora', model: 't5-large', measure: 'eval-examples-per-s-per-gpu', value: 51.15, ours: null, caveat: 'large std', provenance: SURVEY_SOURCE },
    { config: 'hf_lora_all', method: 'lora', model: 't5-large', measure: 'trainable-params', value: 8_650_752, ours: 8_650_000, caveat: null, provenance: SURVEY_SOURCE },
    { config: 'hf_lora_all', method: 'lora', model: 't5-large', measure: 'eval-examples-per-s-per-gpu', value: 41.55, ours: null, caveat: 'large std', provenance: SURVEY_SOURCE },
    { config: 'houlsby', method: 'adapters', model: 't5-large', measure: 'trainable-params', value: 12_687_360, ours: null, caveat: 'derived for T5-Large only', provenance: SURVEY_SOURCE },
    { config: 'houlsby', method: 'adapters', model: 't5-3b', measure: 'trainable-params', value: 12_687_360, ours: 12_687_360, caveat: null, provenance: SURVEY_SOURCE },
    { config: 'krona', method: null, model: 't5-large', measure: 'trainable-params', value: 221_184, ours: null, caveat: null, provenance: { source: 'another source' } },
  ],
};

describe('fixtures', () => {
  it('are valid datasets, so the views are tested on what the schemas allow', () => {
    expect(toyBenchmarkSchema.safeParse(TOY).success).toBe(true);
    expect(surveyResultsSchema.safeParse(SURVEY).success).toBe(true);
  });
});

describe('toy rows', () => {
  it("selects the method's rows in task order", () => {
    expect(toyRowsFor('lora', TOY).map((r) => r.task)).toEqual(['topic', 'reverse']);
    expect(toyRowsFor('bitfit', TOY)).toEqual([]);
  });

  it('compares ms/step with full fine-tuning on the same task, and only there', () => {
    expect(relativeMsPerStep(loraTopic, fullTopic)).toBeCloseTo(85 / 136, 12);
    expect(relativeMsPerStep(loraReverse, undefined)).toBeNull();
    expect(relativeMsPerStep(fullTopic, fullTopic)).toBeNull();
  });

  it('formats mean ± std over seeds, without a ± for one seed', () => {
    expect(formatShareSpread({ mean: 0.8516, std: 0.0625, n: 3 })).toBe('85.2 ± 6.3%');
    expect(formatShareSpread({ mean: 0.25, std: 0, n: 1 })).toBe('25.0%');
  });

  it('formats the configuration with the learning rate', () => {
    expect(formatConfig(loraTopic)).toBe('r 8; alpha 16; targets q_proj, v_proj; learning rate 0.005');
    expect(formatConfig(fullTopic)).toBe('learning rate 0.001');
  });

  it('builds a line per task with the figures, relative speed and a missing target said as missing', () => {
    const view = toyView('lora', TOY)!;
    expect(view.lines).toHaveLength(2);
    const [topic, reverse] = view.lines;
    expect(topic).toMatchObject({
      task: 'topic',
      taskName: 'Topic classification',
      target: '75%',
      base: '0.0%',
      tuned: '85.2 ± 6.3%',
      seeds: '3 seeds',
      reached: '2 of 3',
      stepsToTarget: '165 ± 21 steps',
      secondsToTarget: '14.0 ± 1.8 s',
      msPerStep: '85.0 ms',
      relative: '0.63× full fine-tuning',
      peakMemory: '458.0 KiB',
      trainable: '4,096 of 104,960 (3.9%)',
    });
    expect(reverse).toMatchObject({
      task: 'reverse',
      target: '90%',
      base: '0.8%',
      tuned: '25.0%',
      seeds: '1 seed',
      reached: '0 of 1',
      stepsToTarget: null,
      secondsToTarget: null,
      relative: null,
    });
    // Shared by both lines: shown once, under the table.
    expect(view.commonConfig).toBe('r 8; alpha 16; targets q_proj, v_proj; learning rate 0.005');
    expect(view.commonTrainable).toBe('4,096 of 104,960 (3.9%)');
    expect(view.machine).toBe('Measured 2026-12-01 on Intel(R) Xeon(R) Processor (2 cores), Node v20.20.2, wasm backend.');
    expect(view.protocol).toBe('Each run: 300 steps at batch size 16, held-out exact match on 128 examples every 10 steps; seeds 0, 1, 2.');
    expect(view.sources).toEqual([{ source: PROVENANCE.source, details: [PROVENANCE.detail] }]);
  });

  it('shows per-line configurations and counts when they differ, and no relative speed on the reference itself', () => {
    const other = { ...loraReverse, config: { r: 4 }, trainable: 2_048, provenance: { source: 'scripts/benchmark-toy.ts', detail: '--task reverse --r 4' } };
    const view = toyView('lora', { ...TOY, rows: [loraTopic, other] })!;
    expect(view.commonConfig).toBeNull();
    expect(view.commonTrainable).toBeNull();
    expect(view.lines[1]!.config).toBe('r 4; learning rate 0.005');
    // One source, with the details its rows give.
    expect(view.sources).toEqual([{ source: 'scripts/benchmark-toy.ts', details: [PROVENANCE.detail, '--task reverse --r 4'] }]);
    expect(toyView('full-fine-tuning', TOY)!.lines[0]!.relative).toBeNull();
  });

  it('has no toy view for a method without rows', () => {
    expect(toyView('bitfit', TOY)).toBeNull();
  });
});

describe('survey lines', () => {
  it('files a labelled count row under its configuration key, and leaves unknown labels as they are', () => {
    expect(configKey('hf_lora (q,v)', SURVEY.configs)).toBe('hf_lora');
    expect(configKey('hf_lora_all', SURVEY.configs)).toBe('hf_lora_all');
    expect(configKey('krona (q,v)', SURVEY.configs)).toBe('krona (q,v)');
  });

  it("puts the authors' count beside ours, marks equality, and adds the throughput of the same configuration", () => {
    const view = surveyView('lora', SURVEY)!;
    const q = 'LoRA r=8, alpha=8 on q and v (HF PEFT)';
    const all = 'LoRA r=8, alpha=8 on q,k,v,o,wi,wo (HF PEFT)';
    expect(view.lines).toEqual([
      { config: 'hf_lora', description: q, model: 'T5-Large', authors: '2,359,296', ours: '2,359,296', equal: true, throughput: '51.15' },
      { config: 'hf_lora', description: q, model: 'T5-3B', authors: '5,898,240', ours: '5,898,240', equal: true, throughput: null },
      { config: 'hf_lora_all', description: all, model: 'T5-Large', authors: '8,650,752', ours: '8,650,000', equal: false, throughput: '41.55' },
    ]);
    // Each caveat once: the count caveat names the one configuration it holds for, the throughput
    // caveat holds for every throughput record.
    expect(view.notes).toEqual([
      { about: 'Counts, hf_lora', text: 'LoRA as HF PEFT implements it.' },
      { about: 'Throughput', text: 'large std' },
    ]);
    expect(view.missing).toBe(SURVEY.missing);
    expect(view.sources).toEqual([{ source: SURVEY_SOURCE.source, details: [SURVEY_SOURCE.detail] }]);
  });

  it('says "not computed" (null) where we have no count, names the models a caveat holds for, and has nothing for an unmapped method', () => {
    const adapters = surveyView('adapters', SURVEY)!;
    expect(adapters.lines[0]).toMatchObject({ model: 'T5-Large', authors: '12,687,360', ours: null, equal: null, description: null });
    expect(adapters.lines[1]).toMatchObject({ model: 'T5-3B', equal: true });
    expect(adapters.notes).toEqual([{ about: 'Counts, T5-Large', text: 'derived for T5-Large only' }]);
    expect(surveyView('bitfit', SURVEY)).toBeNull();
  });
});

describe('measuredView', () => {
  it('combines both datasets and gives the command that measures a method with no toy rows', () => {
    const lora = measuredView('lora', { toy: TOY, survey: SURVEY });
    expect(lora.toy?.lines).toHaveLength(2);
    expect(lora.survey?.lines).toHaveLength(3);
    expect(lora.surveyUnmapped).toBe(false);

    const bitfit = measuredView('bitfit', { toy: TOY, survey: SURVEY });
    expect(bitfit.toy).toBeNull();
    expect(bitfit.survey).toBeNull();
    expect(bitfit.surveyUnmapped).toBe(true);
    expect(bitfit.command).toBe('npm run bench:toy -- --method bitfit --resume');
  });

  it('treats datasets not built yet as not measured, without claiming the survey skipped the method', () => {
    const view = measuredView('lora', { toy: null, survey: null });
    expect(view).toEqual({ toy: null, survey: null, surveyUnmapped: false, command: 'npm run bench:toy -- --method lora --resume' });
  });
});

describe('the panel', () => {
  const render = (method: string, data: Parameters<typeof measuredView>[1]) =>
    renderToStaticMarkup(createElement(MeasuredPanel, { name: method.toUpperCase(), view: measuredView(method, data) }));
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

  it('shows a row per task with mean ± std, the machine, the survey counts with ✓, the missing note and the sources', () => {
    const html = render('lora', { toy: TOY, survey: SURVEY });
    const rows = [...html.matchAll(/<tr [^>]*data-task="([a-z]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['topic', 'reverse']);
    const t = text(html);
    expect(t).toContain('Measured results');
    expect(t).toContain('0.0% → 85.2 ± 6.3%');
    expect(t).toContain('0.63× full fine-tuning');
    expect(t).toContain('not reached');
    expect(t).toContain('Measured 2026-12-01 on Intel(R) Xeon(R) Processor (2 cores)');
    expect(t).toContain('Configuration: r 8; alpha 16; targets q_proj, v_proj; learning rate 0.005.');
    expect(html.match(/data-equal="true"/g)).toHaveLength(2);
    expect(t).toContain('Counts, hf_lora: LoRA as HF PEFT implements it.');
    expect(html.match(/data-equal="false"/g)).toHaveLength(1);
    expect(t).toContain('2,359,296');
    expect(t).toContain(SURVEY.missing);
    expect(t).toContain('scripts/benchmark-toy.ts');
    expect(t).toContain(SURVEY_SOURCE.source);
    expect(html).toContain('href="/benchmarks/"');
    expect(t).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('says how to measure a method with no toy rows, and that the survey maps nothing to it', () => {
    const t = text(render('bitfit', { toy: TOY, survey: SURVEY }));
    expect(t).toContain('Not measured on the toy yet: npm run bench:toy -- --method bitfit --resume');
    expect(t).toContain("None of the configurations in the survey authors' experiments is mapped to BITFIT.");
    expect(t).not.toContain('No accuracy figures');
  });
});
