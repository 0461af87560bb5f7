/**
 * content/data/analytic-costs.json (+ .csv): every registered method on every model of
 * COST_MODEL_IDS under every setup of COST_SETUPS, at default hyperparameters, from lib/peft/cost
 * through the same compareMethods the calculator and /compare use.
 *   npx tsx scripts/data/analytic-costs.ts [--out content/data/analytic-costs.json]
 */
import { pathToFileURL } from 'node:url';
import { analyticCostsSchema, type AnalyticCosts } from '@/lib/datasets/analytic-costs';
import { COST_MODEL_IDS, COST_SETUPS, costModels, costRows } from '@/lib/datasets/analytic-costs-build';
import { analyticCostsCsv } from '@/lib/datasets/csv-writers';
import { METHODS } from '@/lib/peft/registry';
import { writeDataset } from './write';

export function buildAnalyticCosts(): AnalyticCosts {
  return {
    about:
      "Computed by scripts/data/analytic-costs.ts with lib/peft/cost (the calculator's cost model): every implemented method at its default hyperparameters on each model and training setup. Memory is peak training memory per GPU in bytes; 'optimizer' includes mixed precision's fp32 master weights and 'other' is the CUDA context and allocator overhead. Checkpoints are the saved trainable scalars in fp32. A method that does not apply to a model has zeros and its reason in 'problem'. Each row's detail is the `npm run cost` line that prints the same figures.",
    generated: new Date().toISOString().slice(0, 10),
    models: costModels(),
    setups: COST_SETUPS.map(({ id, label, overrides }) => ({ id, label, overrides: { ...overrides } as AnalyticCosts['setups'][number]['overrides'] })),
    rows: COST_MODEL_IDS.flatMap((model) => COST_SETUPS.flatMap((setup) => costRows(model, setup.id))),
  };
}

export function writeAnalyticCosts(out = 'content/data/analytic-costs.json'): void {
  const started = performance.now();
  const data = buildAnalyticCosts();
  const bytes = writeDataset(analyticCostsSchema, data, out, analyticCostsCsv, 'rows');
  console.log(
    `analytic costs: ${METHODS.length} methods × ${COST_MODEL_IDS.length} models × ${COST_SETUPS.length} setups = ${data.rows.length} rows ` +
      `(${data.rows.filter((r) => r.problem).length} not applicable), ${(bytes / 1024).toFixed(0)} KiB → ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--out');
  writeAnalyticCosts(i === -1 ? undefined : process.argv[i + 1]);
}
