import type { Optimizer, Precision, TrainingSetup } from './cost/memory';
import type { HyperValue, PeftMethod } from './method-api/types';

/**
 * Settings as people type them (form fields, URL queries, CLI flags) turned into the values
 * lib/peft works with. Nothing is checked here: resolveConfig and validateSetup reject impossible
 * values with one message per problem, whichever interface they came from.
 */

/** Text to a number; blank text is not 0 but no number at all. */
export function numberFromText(raw: string): number {
  return raw.trim() === '' ? NaN : Number(raw);
}

/** Numeric hyperparameters parsed; choices and module lists (one string or several) passed on. */
export function hyperFromText(method: PeftMethod, raw: Readonly<Record<string, string | string[]>>): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const kind = method.hyperparams.find((h) => h.key === key)?.kind;
    out[key] = (kind === 'int' || kind === 'number') && typeof value === 'string' ? numberFromText(value) : value;
  }
  return out;
}

export interface SetupText {
  batch: string;
  seq: string;
  precision: string;
  optimizer: string;
  checkpointing: boolean;
}

export function setupFromText(t: SetupText): TrainingSetup {
  return {
    batchSize: numberFromText(t.batch),
    sequenceLength: numberFromText(t.seq),
    precision: t.precision as Precision,
    optimizer: t.optimizer as Optimizer,
    gradientCheckpointing: t.checkpointing,
  };
}
