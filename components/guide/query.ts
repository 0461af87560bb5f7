import { validateGuideNumbers, type GuideErrors, type GuideInput } from '@/lib/peft/guide';
import { numberFromText } from '@/lib/peft/input';
import { lookupModel } from '@/lib/peft/models';

/**
 * The guide's form as typed (text, so a half-typed number survives) and its URL form:
 * `/guide/?model=meta-llama/Llama-2-7b-hf&memory=24&tasks=10&latency=yes` (`batch` and `seq` only
 * when they differ from the defaults, 8 × 512).
 */
export interface GuideQuery {
  model: string;
  /** GPU memory in GiB. */
  memory: string;
  tasks: string;
  /** 'yes' or 'no'. */
  latency: string;
  batch: string;
  seq: string;
}

export const DEFAULT_GUIDE_QUERY: GuideQuery = { model: 'meta-llama/Llama-2-7b-hf', memory: '24', tasks: '1', latency: 'no', batch: '8', seq: '512' };
const KEYS = ['model', 'memory', 'tasks', 'latency', 'batch', 'seq'] as const;
/** Always in the URL, so a shared link says what was asked; batch and seq only when changed. */
const ALWAYS: readonly (keyof GuideQuery)[] = ['model', 'memory', 'tasks', 'latency'];

export function guideQueryFromParams(params: URLSearchParams, fallback: GuideQuery = DEFAULT_GUIDE_QUERY): GuideQuery {
  const q = { ...fallback };
  for (const key of KEYS) {
    const value = params.get(key);
    if (value !== null) q[key] = value;
  }
  return q;
}

export function guideQueryToParams(q: GuideQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (ALWAYS.includes(key) || q[key] !== DEFAULT_GUIDE_QUERY[key]) params.set(key, q[key]);
  return params;
}

export type GuideFieldErrors = GuideErrors & { model?: string; latency?: string };

/** The input the ranking needs, or a message per wrong field (every field checked, so all show at once). */
export function parseGuideQuery(q: GuideQuery): { input: GuideInput } | { errors: GuideFieldErrors } {
  const found = lookupModel(q.model);
  const latencyText = q.latency.trim().toLowerCase();
  const latency = latencyText === 'yes' ? true : latencyText === 'no' ? false : null;
  const numbers = { memoryGiB: numberFromText(q.memory), tasks: numberFromText(q.tasks), batchSize: numberFromText(q.batch), sequenceLength: numberFromText(q.seq) };
  const errors: GuideFieldErrors = validateGuideNumbers(numbers);
  if ('error' in found) errors.model = found.error;
  if (latency === null) errors.latency = 'Latency must be yes or no';
  if ('error' in found || latency === null || Object.keys(errors).length > 0) return { errors };
  return { input: { model: found.model, latency, ...numbers } };
}
