import { DEFAULT_GPU } from '@/lib/peft/cost/fits';
import { DEFAULT_SETUP, SETUP_FIELDS, validateSetup } from '@/lib/peft/cost/setup';
import { estimate, type Estimate } from '@/lib/peft/estimate';
import { SETUP_KEYS, cleanMessage, hyperFromText, setupFromText, setupToText } from '@/lib/peft/input';
import type { ModelInfo } from '@/lib/peft/models';
import { findPeftMethod } from '@/lib/peft/registry';

/**
 * A calculator's state as the reader typed it (text, so a half-typed number survives) and its
 * URL form, so any result can be shared as a link. Hyperparameters use the method metadata's
 * names (`r`, `alpha`, `targets`, ...) and settings `SETUP_FIELDS`' keys (`batch`, `seq`,
 * `checkpointing`, ...): the same as the CLI's flags.
 */
export interface CalculatorQuery {
  model: string;
  method: string;
  hyper: Record<string, string>;
  /** Every setting as text, by its key. */
  setup: Record<string, string>;
  /** The GPU "what fits" answers for (an id of `GPUS`). */
  gpu: string;
  /** A model from a pasted config.json, in lib/peft/hf-config.ts's URL form; '' for a listed model
   * (then `model` is looked up). With it, `model` is the config's id, shown and exported. */
  arch: string;
}

export const DEFAULT_MODEL = 'meta-llama/Llama-2-7b-hf';
const QUERY_KEYS = ['model', 'method', 'gpu', 'arch', ...SETUP_KEYS];

/** Every setting's text when nothing is set: what the URL leaves out. */
export const DEFAULT_SETUP_TEXT: Readonly<Record<string, string>> = setupToText(DEFAULT_SETUP, true);

/** Parameters that sites and campaigns add to shared links; they are not settings. */
export function isTrackingParam(key: string): boolean {
  return key.startsWith('utm_') || ['fbclid', 'gclid', 'ref'].includes(key);
}

/** Models a method's calculator opens with when it does not apply to the default model (BitFit
 * needs bias vectors, which Llama 2 has none of). */
const FALLBACK_MODELS = ['bert-base-uncased', 'gpt2', 't5-base'];

export function defaultQuery(method: string): CalculatorQuery {
  const applies = (model: string) => {
    try {
      return estimate(model, method, {}, DEFAULT_SETUP, DEFAULT_GPU, { allowNotApplicable: true }).notApplicable === null;
    } catch {
      return true; // an unknown method is reported by the calculator itself
    }
  };
  const model = applies(DEFAULT_MODEL) ? DEFAULT_MODEL : (FALLBACK_MODELS.find(applies) ?? DEFAULT_MODEL);
  return { model, method, hyper: {}, setup: { ...DEFAULT_SETUP_TEXT }, gpu: DEFAULT_GPU, arch: '' };
}

export function queryFromParams(params: URLSearchParams, fallback: CalculatorQuery, fixedMethod: boolean): CalculatorQuery {
  const method = fixedMethod ? fallback.method : (params.get('method') ?? fallback.method);
  const hyper: Record<string, string> = {};
  for (const [key, value] of params) if (!QUERY_KEYS.includes(key) && !isTrackingParam(key)) hyper[key] = value;
  const setup = { ...fallback.setup };
  // Kept as typed: a bad value stays in the field and its message shows until it is replaced.
  for (const key of SETUP_KEYS) {
    const value = params.get(key);
    if (value !== null) setup[key] = value;
  }
  return { model: params.get('model') ?? fallback.model, method, hyper, setup, gpu: params.get('gpu') ?? fallback.gpu, arch: params.get('arch') ?? fallback.arch };
}

/** The URL form: the model, method and hyperparameters, and only the settings that differ from the defaults. */
export function queryToParams(q: CalculatorQuery, fixedMethod: boolean): URLSearchParams {
  const params = new URLSearchParams({ model: q.model });
  if (!fixedMethod) params.set('method', q.method);
  for (const [key, value] of Object.entries(q.hyper)) params.set(key, value);
  for (const key of SETUP_KEYS) {
    const value = q.setup[key];
    if (value !== undefined && value !== DEFAULT_SETUP_TEXT[key]) params.set(key, value);
  }
  if (q.gpu !== DEFAULT_GPU) params.set('gpu', q.gpu);
  if (q.arch !== '') params.set('arch', q.arch);
  return params;
}

/** The estimate for a query, or the first problem with it as one sentence. `custom`: the model
 * `q.arch` stands for, decoded by the caller (lib/peft/hf-config.ts loads only when one is used). */
export function evaluateQuery(q: CalculatorQuery, custom: ModelInfo | null = null): { estimate: Estimate } | { error: string } {
  try {
    return { estimate: estimate(custom ?? q.model, q.method, hyperFromText(findPeftMethod(q.method), q.hyper), setupFromText(q.setup), q.gpu) };
  } catch (err) {
    return { error: cleanMessage(err instanceof Error ? err.message : String(err)) };
  }
}

/** The setup's own first problem (reading or range checks), as evaluateQuery would word it; null when it has none. */
function setupError(setup: Readonly<Record<string, string>>): string | null {
  try {
    validateSetup(setupFromText(setup));
    return null;
  } catch (err) {
    return cleanMessage(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The key of the setting an error message is about, so its field can be marked invalid; null when
 * the message is about something else (the model, a hyperparameter). A message that starts with a
 * field's label names it. Otherwise, when the message is the setup's own, the field is the first
 * one whose default value changes the message (a range check may word the setting differently
 * from its label, e.g. "number of GPUs", or name a clash of two settings).
 */
export function settingOfError(error: string, setup: Readonly<Record<string, string>>): string | null {
  const lower = error.toLowerCase();
  // Longest label first, so "Optimizer in backward" wins over "Optimizer"; a label must end at a word's end.
  const byLabel = [...SETUP_FIELDS].sort((a, b) => b.label.length - a.label.length).find((f) => {
    const label = f.label.toLowerCase();
    return lower.startsWith(label) && /^(?:$|[\s:,(])/.test(lower.slice(label.length));
  });
  if (byLabel) return byLabel.key;
  if (setupError(setup) !== error) return null;
  for (const key of SETUP_KEYS) {
    if (setup[key] === DEFAULT_SETUP_TEXT[key]) continue;
    if (setupError({ ...setup, [key]: DEFAULT_SETUP_TEXT[key] ?? '' }) !== error) return key;
  }
  return null;
}
