import { compareMethods } from '@/lib/peft/compare';
import { DEFAULT_SETUP, type TrainingSetup } from '@/lib/peft/cost/setup';
import { setupToText } from '@/lib/peft/input';
import { findModel } from '@/lib/peft/models';
import type { CostRow, CostSetup } from './analytic-costs';

/**
 * What content/data/analytic-costs.json holds, computed: the same `compareMethods` (lib/peft/compare,
 * over lib/peft/estimate and lib/peft/cost) the calculator and /compare use, so a row and the
 * calculator with its link's settings agree. scripts/data/analytic-costs.ts writes it; the tests
 * recompute rows with it.
 */

/** Models people fine-tune, from a BERT-base encoder to a 70B decoder (ids of content/data/models.json). */
export const COST_MODEL_IDS = [
  'bert-base-uncased',
  'roberta-large',
  'gpt2',
  't5-base',
  't5-large',
  't5-3b',
  't5-11b',
  'meta-llama/Llama-2-7b-hf',
  'meta-llama/Meta-Llama-3-8B',
  'meta-llama/Llama-2-13b-hf',
  'meta-llama/Llama-2-70b-hf',
] as const;

/** Three standard setups; `overrides` are the fields that differ from DEFAULT_SETUP. */
export const COST_SETUPS: readonly (CostSetup & { overrides: Partial<TrainingSetup> })[] = [
  { id: 'bf16-adamw', label: 'bf16 mixed precision, AdamW, batch 8 × 512 tokens', overrides: {} },
  { id: 'fp32-adamw', label: 'fp32 weights and training, AdamW, batch 8 × 512 tokens', overrides: { precision: 'fp32', recipe: 'fp32' } },
  {
    id: 'qlora-style',
    label: '4-bit NF4 base, paged 8-bit AdamW, gradient checkpointing, batch 8 × 512 tokens',
    overrides: { precision: 'nf4', optimizer: 'paged-adamw-8bit', gradientCheckpointing: true },
  },
];

export function setupOf(setupId: string): TrainingSetup {
  const s = COST_SETUPS.find((x) => x.id === setupId);
  if (!s) throw new Error(`no cost setup "${setupId}"`);
  return { ...DEFAULT_SETUP, ...s.overrides };
}

/** The `cost` CLI line that prints the same figures. */
function costCommand(modelId: string, methodId: string, setup: TrainingSetup): string {
  const flags = Object.entries(setupToText(setup)).map(([k, v]) => ` --${k} ${v}`);
  return `npm run cost -- --model ${modelId} --method ${methodId}${flags.join('')}`;
}

/** Every registered method on one model and setup, at its default hyperparameters. */
export function costRows(modelId: string, setupId: string): CostRow[] {
  const setup = setupOf(setupId);
  return compareMethods(modelId, setup).map(({ estimate: e, settings }) => {
    const m = e.memory;
    const problem = e.notApplicable;
    // A method that does not apply has no figures: zeros with the reason, never a half-result.
    const zero = problem !== null;
    return {
      method: e.method.id,
      model: modelId,
      setup: setupId,
      settings,
      trainable: zero ? 0 : e.trainable,
      total: e.total,
      checkpointBytes: zero ? 0 : e.checkpointBytes,
      memory: zero
        ? { weights: 0, gradients: 0, optimizer: 0, activations: 0, other: 0, total: 0 }
        : {
            weights: m.weights,
            gradients: m.gradients,
            // Mixed precision's fp32 master weights are optimizer-held state (as ZeRO counts them).
            optimizer: m.optimizerState + m.masterWeights,
            activations: m.activations,
            other: m.overhead,
            total: m.total,
          },
      problem,
      provenance: { source: 'lib/peft/cost, by scripts/data/analytic-costs.ts', detail: costCommand(modelId, e.method.id, setup) },
    };
  });
}

export function costModels(): { id: string; name: string; totalParams: number }[] {
  return COST_MODEL_IDS.map((id) => {
    const full = costRows(id, 'bf16-adamw').find((r) => r.method === 'full-fine-tuning');
    return { id, name: findModel(id).name, totalParams: full?.total ?? 0 };
  });
}
