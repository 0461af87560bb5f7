import { toCsv } from './csv';
import type { ToyBenchmark, ToyRow } from './toy-benchmark';
import type { AnalyticCosts, CostRow } from './analytic-costs';
import type { SurveyRecord, SurveyResults } from './survey-results';

/** The download CSVs (public/data/<name>.csv): one line per record, the JSON's figures flattened. */

const json = (v: unknown) => JSON.stringify(v);

/** One line per (task, method) row, with its summary over seeds. */
export function toyBenchmarkCsv(data: ToyBenchmark): string {
  return toCsv<ToyRow>(
    [
      ['task', (r) => r.task],
      ['method', (r) => r.method],
      ['target', (r) => data.protocol.targets[r.task]],
      ['learning_rate', (r) => r.learningRate],
      ['trainable', (r) => r.trainable],
      ['total', (r) => r.total],
      ['base_exact_match', (r) => r.baseMetric],
      ['seeds', (r) => r.runs.map((x) => x.seed).join(' ')],
      ['final_exact_match_mean', (r) => r.summary.finalMetric.mean],
      ['final_exact_match_std', (r) => r.summary.finalMetric.std],
      ['reached_target', (r) => r.summary.reached],
      ['runs', (r) => r.runs.length],
      ['steps_to_target_mean', (r) => r.summary.stepsToTarget?.mean],
      ['steps_to_target_std', (r) => r.summary.stepsToTarget?.std],
      ['seconds_to_target_mean', (r) => r.summary.secondsToTarget?.mean],
      ['seconds_to_target_std', (r) => r.summary.secondsToTarget?.std],
      ['ms_per_step_mean', (r) => r.summary.msPerStep.mean],
      ['ms_per_step_std', (r) => r.summary.msPerStep.std],
      ['peak_tensor_bytes', (r) => r.summary.peakTensorBytes],
      ['steps', () => data.protocol.steps],
      ['batch_size', () => data.protocol.batchSize],
      ['backend', () => data.machine.backend],
      ['config', (r) => json(r.config)],
      ['source', (r) => r.provenance.source],
    ],
    data.rows,
  );
}

/** One line per (method, model, setup), memory in bytes. */
export function analyticCostsCsv(data: AnalyticCosts): string {
  const setupLabel = new Map(data.setups.map((s) => [s.id, s.label]));
  return toCsv<CostRow>(
    [
      ['method', (r) => r.method],
      ['model', (r) => r.model],
      ['setup', (r) => r.setup],
      ['setup_label', (r) => setupLabel.get(r.setup)],
      ['settings', (r) => r.settings],
      ['trainable', (r) => r.trainable],
      ['total', (r) => r.total],
      ['checkpoint_bytes', (r) => r.checkpointBytes],
      ['memory_weights_bytes', (r) => r.memory.weights],
      ['memory_gradients_bytes', (r) => r.memory.gradients],
      ['memory_optimizer_bytes', (r) => r.memory.optimizer],
      ['memory_activations_bytes', (r) => r.memory.activations],
      ['memory_other_bytes', (r) => r.memory.other],
      ['memory_total_bytes', (r) => r.memory.total],
      ['problem', (r) => r.problem],
      ['source', (r) => r.provenance.source],
      ['command', (r) => r.provenance.detail],
    ],
    data.rows,
  );
}

/** One line per measured number, with our count beside it where we compute one. */
export function surveyResultsCsv(data: SurveyResults): string {
  return toCsv<SurveyRecord>(
    [
      ['config', (r) => r.config],
      ['method', (r) => r.method],
      ['model', (r) => r.model],
      ['measure', (r) => r.measure],
      ['value', (r) => r.value],
      ['ours', (r) => r.ours],
      ['caveat', (r) => r.caveat],
      ['source', (r) => r.provenance.source],
      ['detail', (r) => r.provenance.detail],
    ],
    data.records,
  );
}
