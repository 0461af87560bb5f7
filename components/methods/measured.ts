import { formatBytes, formatCount, formatPercent } from '@/components/format';
import type { Provenance, Spread } from '@/lib/datasets/provenance';
import { SURVEY_MODELS, type SurveyRecord, type SurveyResults } from '@/lib/datasets/survey-results';
import type { ToyBenchmark, ToyRow } from '@/lib/datasets/toy-benchmark';
import { TASK_IDS, findTask } from '@/lib/peft/model/tasks';

/**
 * What a method page shows under "Measured results": its rows of the toy benchmark and the survey
 * authors' measurements of the configurations mapped to it, selected and formatted here as plain
 * strings (pure, so the page and the tests read the same text). Nothing is made up where data is
 * missing: a missing figure is said to be missing.
 */

/** The method whose ms/step every other method's is compared with, on the same task. */
export const REFERENCE_METHOD = 'full-fine-tuning';

export interface ToyLine {
  task: string;
  taskName: string;
  /** The task's target exact match, e.g. "75%". */
  target: string;
  /** Held-out exact match before fine-tuning. */
  base: string;
  /** After fine-tuning: "85.2 ± 3.1%" (one seed: "85.2%"). */
  tuned: string;
  seeds: string;
  /** "3 of 3". */
  reached: string;
  /** Over the runs that reached the target; null when none did. */
  stepsToTarget: string | null;
  secondsToTarget: string | null;
  msPerStep: string;
  /** "0.62× full fine-tuning"; null on the reference itself or where it has no row for the task. */
  relative: string | null;
  peakMemory: string;
  trainable: string;
  config: string;
  provenance: Provenance;
}

export interface ToyView {
  lines: ToyLine[];
  /** The configuration and trainable count when every line shares them (shown once), else null. */
  commonConfig: string | null;
  commonTrainable: string | null;
  machine: string;
  protocol: string;
  /** Distinct sources of the lines, in order. */
  sources: SourceLine[];
}

export interface SurveyLine {
  config: string;
  /** The authors' configuration in words, from the dataset's `configs`. */
  description: string | null;
  model: string;
  /** The authors' measured trainable count; null where they measured none for this model. */
  authors: string | null;
  ours: string | null;
  /** Authors' and our counts equal; null where either is missing. */
  equal: boolean | null;
  /** Evaluation throughput, examples per second per GPU. */
  throughput: string | null;
}

/** A caveat of the records, once, with what it applies to ("Counts, lora", "Throughput"). */
export interface SurveyNote {
  about: string;
  text: string;
}

export interface SurveyView {
  lines: SurveyLine[];
  notes: SurveyNote[];
  sources: SourceLine[];
  /** Why there are no accuracy numbers (the dataset's `missing`), shown with the counts. */
  missing: string;
}

export interface MeasuredView {
  /** Null: the method has no toy rows (or there is no toy dataset yet). */
  toy: ToyView | null;
  /** Null: no survey dataset, or no survey configuration is mapped to the method. */
  survey: SurveyView | null;
  /** The survey dataset exists but maps no configuration to this method. */
  surveyUnmapped: boolean;
  /** The command that measures the method on the toy. */
  command: string;
}

const pctNumber = (share: number) => (100 * share).toFixed(1);

/** "85.2 ± 3.1%" for several seeds, "85.2%" for one. */
export function formatShareSpread(s: Spread): string {
  return s.n > 1 ? `${pctNumber(s.mean)} ± ${pctNumber(s.std)}%` : `${pctNumber(s.mean)}%`;
}

const seconds = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** "180 ± 20 steps" / "12.3 ± 1.5 s"; the std only where more than one run reached the target. */
export function formatStepsSpread(s: Spread): string {
  const mean = Math.round(s.mean).toLocaleString('en-US');
  return s.n > 1 ? `${mean} ± ${Math.round(s.std).toLocaleString('en-US')} steps` : `${mean} steps`;
}

export function formatSecondsSpread(s: Spread): string {
  return s.n > 1 ? `${seconds(s.mean)} ± ${seconds(s.std)} s` : `${seconds(s.mean)} s`;
}

export function formatMs(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

/** A row's ms/step over the reference's on the same task; null when it cannot be compared. */
export function relativeMsPerStep(row: ToyRow, reference: ToyRow | undefined): number | null {
  if (!reference || reference === row) return null;
  const ratio = row.summary.msPerStep.mean / reference.summary.msPerStep.mean;
  return Number.isFinite(ratio) && ratio > 0 ? ratio : null;
}

export function formatConfig(row: Pick<ToyRow, 'config' | 'learningRate'>): string {
  const hyper = Object.entries(row.config)
    .filter(([, value]) => value !== '' && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  return [...hyper, `learning rate ${row.learningRate}`].join('; ');
}

function formatTrainable(row: ToyRow): string {
  return `${formatCount(row.trainable)} of ${formatCount(row.total)} (${formatPercent(row.trainable / row.total)})`;
}

/** A source once, with every detail the records give for it, in order. */
export interface SourceLine {
  source: string;
  details: string[];
}

export function distinctSources(items: readonly { provenance: Provenance }[]): SourceLine[] {
  const bySource = new Map<string, Set<string>>();
  for (const { provenance } of items) {
    const details = bySource.get(provenance.source) ?? new Set<string>();
    if (provenance.detail) details.add(provenance.detail);
    bySource.set(provenance.source, details);
  }
  return [...bySource].map(([source, details]) => ({ source, details: [...details] }));
}

const taskOrder = (task: string) => TASK_IDS.indexOf(task as (typeof TASK_IDS)[number]);

/** The method's toy rows in task order (several configurations of one task keep the file's order). */
export function toyRowsFor(method: string, toy: ToyBenchmark): ToyRow[] {
  return toy.rows.filter((r) => r.method === method).sort((a, b) => taskOrder(a.task) - taskOrder(b.task));
}

export function toyView(method: string, toy: ToyBenchmark): ToyView | null {
  const rows = toyRowsFor(method, toy);
  if (rows.length === 0) return null;
  const lines = rows.map((row): ToyLine => {
    const task = findTask(row.task);
    const target = toy.protocol.targets[row.task] ?? task.target;
    const reference = toy.rows.find((r) => r.method === REFERENCE_METHOD && r.task === row.task);
    const relative = method === REFERENCE_METHOD ? null : relativeMsPerStep(row, reference);
    const s = row.summary;
    return {
      task: row.task,
      taskName: task.name,
      target: `${(100 * target).toFixed(0)}%`,
      base: `${pctNumber(row.baseMetric)}%`,
      tuned: formatShareSpread(s.finalMetric),
      seeds: `${s.finalMetric.n} ${s.finalMetric.n === 1 ? 'seed' : 'seeds'}`,
      reached: `${s.reached} of ${row.runs.length}`,
      stepsToTarget: s.stepsToTarget ? formatStepsSpread(s.stepsToTarget) : null,
      secondsToTarget: s.secondsToTarget ? formatSecondsSpread(s.secondsToTarget) : null,
      msPerStep: formatMs(s.msPerStep.mean),
      relative: relative === null ? null : `${relative.toFixed(2)}× full fine-tuning`,
      peakMemory: formatBytes(s.peakTensorBytes),
      trainable: formatTrainable(row),
      config: formatConfig(row),
      provenance: row.provenance,
    };
  });
  const same = (pick: (l: ToyLine) => string) => (lines.every((l) => pick(l) === pick(lines[0]!)) ? pick(lines[0]!) : null);
  const { machine: m, protocol: p } = toy;
  return {
    lines,
    commonConfig: same((l) => l.config),
    commonTrainable: same((l) => l.trainable),
    machine: `Measured ${m.date} on ${m.cpu} (${m.cores} ${m.cores === 1 ? 'core' : 'cores'}), ${m.runtime}, ${m.backend} backend.`,
    protocol:
      `Each run: ${p.steps} steps at batch size ${p.batchSize}, held-out exact match on ${p.heldOut} examples every ${p.evalEvery} steps; ` +
      `seeds ${p.seeds.join(', ')}.`,
    sources: distinctSources(rows),
  };
}

const MODEL_LABELS: Record<SurveyRecord['model'], string> = { 't5-large': 'T5-Large', 't5-3b': 'T5-3B', 't5-11b': 'T5-11B' };

const throughputFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

const MEASURE_LABELS: Record<SurveyRecord['measure'], string> = { 'trainable-params': 'Counts', 'eval-examples-per-s-per-gpu': 'Throughput' };

/**
 * The configuration a record belongs to, as a key of the dataset's `configs`: the source labels
 * some count rows with their targets ("hf_lora (q,v)") and the throughput rows of the same
 * configuration without them ("hf_lora"), so a label that is not a key is tried without its
 * parenthesised suffix.
 */
export function configKey(config: string, configs: Record<string, string>): string {
  if (config in configs) return config;
  const bare = config.replace(/\s*\(.*\)\s*$/, '');
  return bare in configs ? bare : config;
}

const listed = <T>(all: readonly T[], some: ReadonlySet<T>) => all.filter((x) => some.has(x));

/** The survey records mapped to the method, one line per (configuration, model), in the file's
 * configuration order and T5-Large → T5-11B, and each caveat once with what it applies to. */
export function surveyView(method: string, survey: SurveyResults): SurveyView | null {
  const records = survey.records.filter((r) => r.method === method).map((r) => ({ ...r, key: configKey(r.config, survey.configs) }));
  if (records.length === 0) return null;
  const configs = [...new Set(records.map((r) => r.key))];
  const lines: SurveyLine[] = [];
  for (const config of configs) {
    for (const model of SURVEY_MODELS) {
      const here = records.filter((r) => r.key === config && r.model === model);
      if (here.length === 0) continue;
      const count = here.find((r) => r.measure === 'trainable-params');
      const speed = here.find((r) => r.measure === 'eval-examples-per-s-per-gpu');
      lines.push({
        config,
        description: survey.configs[config] ?? null,
        model: MODEL_LABELS[model],
        authors: count ? formatCount(count.value) : null,
        ours: count && count.ours !== null ? formatCount(count.ours) : null,
        equal: count && count.ours !== null ? count.ours === count.value : null,
        throughput: speed ? throughputFormat.format(speed.value) : null,
      });
    }
  }

  // Name the configurations (and models) a caveat holds for only where it does not hold for all.
  const notes: SurveyNote[] = [];
  for (const text of new Set(records.flatMap((r) => (r.caveat ? [r.caveat] : [])))) {
    const withIt = records.filter((r) => r.caveat === text);
    const measures = [...new Set(withIt.map((r) => r.measure))];
    const scope = records.filter((r) => measures.includes(r.measure));
    const about: string[] = measures.map((m) => MEASURE_LABELS[m]);
    const itsConfigs = new Set(withIt.map((r) => r.key));
    const allConfigs = new Set(scope.map((r) => r.key));
    if (itsConfigs.size < allConfigs.size) about.push(listed(configs, itsConfigs).join(', '));
    const itsModels = new Set(withIt.map((r) => r.model));
    const allModels = new Set(scope.filter((r) => itsConfigs.has(r.key)).map((r) => r.model));
    if (itsModels.size < allModels.size) about.push(listed(SURVEY_MODELS, itsModels).map((m) => MODEL_LABELS[m]).join(', '));
    notes.push({ about: about.join(', '), text });
  }
  return { lines, notes, sources: distinctSources(records), missing: survey.missing };
}

export function measuredView(method: string, data: { toy: ToyBenchmark | null; survey: SurveyResults | null }): MeasuredView {
  return {
    toy: data.toy ? toyView(method, data.toy) : null,
    survey: data.survey ? surveyView(method, data.survey) : null,
    surveyUnmapped: data.survey !== null && !data.survey.records.some((r) => r.method === method),
    command: `npm run bench:toy -- --method ${method} --resume`,
  };
}
