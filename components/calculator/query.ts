import { DEFAULT_SETUP } from '@/lib/peft/cost/memory';
import { estimate, type Estimate } from '@/lib/peft/estimate';
import { cleanMessage, hyperFromText, isBooleanText, readBoolean, setupFromText } from '@/lib/peft/input';
import { findPeftMethod } from '@/lib/peft/registry';

/**
 * A calculator's state as the reader typed it (text, so a half-typed number survives) and its
 * URL form, so any result can be shared as a link. Hyperparameters use the method metadata's
 * names (`r`, `alpha`, `targets`, ...), the same as the CLI's flags.
 */
export interface CalculatorQuery {
  model: string;
  method: string;
  hyper: Record<string, string>;
  batch: string;
  seq: string;
  precision: string;
  optimizer: string;
  checkpointing: boolean;
  /** A URL's `checkpointing=…` that is not a yes/no word, kept so the calculator reports it until
   * the reader sets the checkbox. */
  checkpointingText?: string | undefined;
}

export const DEFAULT_MODEL = 'meta-llama/Llama-2-7b-hf';
const SETUP_KEYS = ['model', 'method', 'batch', 'seq', 'precision', 'optimizer', 'checkpointing'];

/** Parameters that sites and campaigns add to shared links; they are not settings. */
export function isTrackingParam(key: string): boolean {
  return key.startsWith('utm_') || ['fbclid', 'gclid', 'ref'].includes(key);
}

export function defaultQuery(method: string): CalculatorQuery {
  return {
    model: DEFAULT_MODEL,
    method,
    hyper: {},
    batch: String(DEFAULT_SETUP.batchSize),
    seq: String(DEFAULT_SETUP.sequenceLength),
    precision: DEFAULT_SETUP.precision,
    optimizer: DEFAULT_SETUP.optimizer,
    checkpointing: DEFAULT_SETUP.gradientCheckpointing,
  };
}

export function queryFromParams(params: URLSearchParams, fallback: CalculatorQuery, fixedMethod: boolean): CalculatorQuery {
  const method = fixedMethod ? fallback.method : (params.get('method') ?? fallback.method);
  const hyper: Record<string, string> = {};
  for (const [key, value] of params) if (!SETUP_KEYS.includes(key) && !isTrackingParam(key)) hyper[key] = value;
  const checkpointing = params.get('checkpointing');
  return {
    model: params.get('model') ?? fallback.model,
    method,
    hyper,
    batch: params.get('batch') ?? fallback.batch,
    seq: params.get('seq') ?? fallback.seq,
    precision: params.get('precision') ?? fallback.precision,
    optimizer: params.get('optimizer') ?? fallback.optimizer,
    // Read by the same parser as the CLI's --checkpointing; a bad word is reported, not guessed.
    checkpointing: checkpointing !== null && isBooleanText(checkpointing) ? readBoolean('gradient checkpointing', checkpointing) : fallback.checkpointing,
    ...(checkpointing !== null && !isBooleanText(checkpointing) ? { checkpointingText: checkpointing } : {}),
  };
}

export function queryToParams(q: CalculatorQuery, fixedMethod: boolean): URLSearchParams {
  const params = new URLSearchParams({ model: q.model });
  if (!fixedMethod) params.set('method', q.method);
  for (const [key, value] of Object.entries(q.hyper)) params.set(key, value);
  params.set('batch', q.batch);
  params.set('seq', q.seq);
  params.set('precision', q.precision);
  params.set('optimizer', q.optimizer);
  params.set('checkpointing', q.checkpointingText ?? (q.checkpointing ? '1' : '0'));
  return params;
}

/** The estimate for a query, or the first problem with it as one sentence. */
export function evaluateQuery(q: CalculatorQuery): { estimate: Estimate } | { error: string } {
  try {
    return { estimate: estimate(q.model, q.method, hyperFromText(findPeftMethod(q.method), q.hyper), setupFromText(q)) };
  } catch (err) {
    return { error: cleanMessage(err instanceof Error ? err.message : String(err)) };
  }
}
