import { METHODS } from '@/lib/peft/registry';
import { taxonomy } from '@/lib/peft/taxonomy';
import { TASKS } from '@/lib/peft/model/tasks';
import type { AnalyticCosts } from './analytic-costs';
import { summarise } from './summary';
import type { SurveyResults } from './survey-results';
import { ourSurveyCount } from './survey-configs';
import type { ToyBenchmark } from './toy-benchmark';

/**
 * What a schema cannot say about the benchmark datasets: figures that must agree with each other
 * or with the registry. Each returns its problems as sentences naming the record (empty: none).
 * scripts/check-data.ts runs them before a build; the tests assert they are empty and that they
 * catch a broken copy.
 */

const registered = new Set(METHODS.map((m) => m.id));
const taxonomyIds = new Set(taxonomy.methods.map((m) => m.id));

export function toyBenchmarkProblems(data: ToyBenchmark): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const row of data.rows) {
    const at = `row ${row.task}/${row.method}`;
    if (seen.has(`${row.task}/${row.method}`)) problems.push(`${at} appears twice`);
    seen.add(`${row.task}/${row.method}`);
    if (!registered.has(row.method)) problems.push(`${at}: "${row.method}" is not a registered method`);
    const seeds = row.runs.map((r) => r.seed);
    if (new Set(seeds).size !== seeds.length) problems.push(`${at}: a seed is measured twice`);
    for (const s of seeds) if (!data.protocol.seeds.includes(s)) problems.push(`${at}: seed ${s} is not in protocol.seeds`);
    if (JSON.stringify(row.summary) !== JSON.stringify(summarise(row.runs))) problems.push(`${at}: summary differs from its recomputation over runs`);
    const target = data.protocol.targets[row.task];
    for (const run of row.runs) {
      if (run.stepsToTarget !== null && run.stepsToTarget > data.protocol.steps) problems.push(`${at} seed ${run.seed}: target reached after the last step`);
      if ((run.stepsToTarget === null) !== (run.secondsToTarget === null)) problems.push(`${at} seed ${run.seed}: steps and seconds to target disagree on whether it was reached`);
      if (run.secondsToTarget !== null && run.secondsToTarget > run.seconds) problems.push(`${at} seed ${run.seed}: seconds to target exceed the run's`);
      // The last evaluation is the final one, so a final metric at the target means it was reached.
      if (target !== undefined && run.finalMetric >= target && run.stepsToTarget === null) problems.push(`${at} seed ${run.seed}: final exact match reaches the target but stepsToTarget is null`);
    }
  }
  for (const t of TASKS) if (data.protocol.targets[t.id] !== t.target) problems.push(`protocol.targets.${t.id} is not the task's target (${t.target})`);
  return problems;
}

export function analyticCostsProblems(data: AnalyticCosts): string[] {
  const problems: string[] = [];
  const models = new Set(data.models.map((m) => m.id));
  const setups = new Set(data.setups.map((s) => s.id));
  const seen = new Set<string>();
  for (const row of data.rows) {
    const key = `${row.method} on ${row.model} (${row.setup})`;
    if (seen.has(key)) problems.push(`${key} appears twice`);
    seen.add(key);
    if (!registered.has(row.method)) problems.push(`${key}: "${row.method}" is not a registered method`);
    if (!models.has(row.model)) problems.push(`${key}: model not in models`);
    if (!setups.has(row.setup)) problems.push(`${key}: setup not in setups`);
    const m = row.memory;
    if (row.problem === null) {
      const parts = m.weights + m.gradients + m.optimizer + m.activations + m.other;
      if (Math.abs(parts - m.total) > 1) problems.push(`${key}: memory parts sum to ${parts}, total says ${m.total}`);
    } else if (row.trainable !== 0 || row.checkpointBytes !== 0 || m.total !== 0) problems.push(`${key}: has a problem but non-zero figures`);
  }
  // Every registered method on every model and setup.
  const expected = registered.size * models.size * setups.size;
  if (data.rows.length !== expected) problems.push(`${data.rows.length} rows, expected ${expected} (every method × model × setup)`);
  return problems;
}

export function surveyResultsProblems(data: SurveyResults): string[] {
  const problems: string[] = [];
  for (const r of data.records) {
    const at = `${r.config} on ${r.model} (${r.measure})`;
    if (r.method !== null && !taxonomyIds.has(r.method)) problems.push(`${at}: "${r.method}" is not a taxonomy id`);
    if (r.method !== null && !registered.has(r.method)) problems.push(`${at}: "${r.method}" is not an implemented method`);
    if (!(r.config in data.configs) && !(r.config.replace(/ \(.*\)$/, '') in data.configs)) problems.push(`${at}: configuration not described in configs`);
    const expected = r.measure === 'trainable-params' ? ourSurveyCount(r.config, r.model) : null;
    if (r.ours !== expected) problems.push(`${at}: ours is ${r.ours}, our registry computes ${expected}`);
  }
  return problems;
}
