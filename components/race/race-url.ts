import { METHODS, lookupPeftMethod } from '@/lib/peft/registry';
import { TASK_IDS, findTask, taskProblem, type TaskId } from '@/lib/peft/model/tasks';
import { BACKENDS, type BackendName } from '@/lib/peft/train/protocol';

/**
 * The race's state in the address: the setup (`task`, `methods`, `steps`, `backend`) and, after a
 * race, its final table (`r`), so a link restores the setup or shows the results without a rerun.
 * Everything in a URL is untrusted: each problem becomes a sentence and the setup falls back to
 * defaults; nothing here throws.
 */

export const MIN_METHODS = 2;
export const MAX_METHODS = 6;
export const MIN_STEPS = 10;
/** The playground's limit (components/playground/settings.ts). */
export const MAX_STEPS = 2000;
export const DEFAULT_STEPS = 300;
export const DEFAULT_TASK: TaskId = 'topic';
/** Full fine-tuning as the reference, against a low-rank and a selective method. */
export const DEFAULT_METHODS: readonly string[] = ['full-fine-tuning', 'lora', 'bitfit'];

export type RaceBackend = BackendName | 'auto';

export interface RaceSetup {
  task: TaskId;
  methods: string[];
  steps: number;
  backend: RaceBackend;
}

export const DEFAULT_SETUP: RaceSetup = { task: DEFAULT_TASK, methods: [...DEFAULT_METHODS], steps: DEFAULT_STEPS, backend: 'auto' };

export type LaneStatus = 'finished' | 'stopped' | 'error';

/** One method's line of the final table: what a shared link carries. */
export interface LaneResult {
  method: string;
  status: LaneStatus;
  backend: BackendName | null;
  /** Steps trained. */
  steps: number;
  /** Final held-out exact match, 0..1. */
  accuracy: number | null;
  /** Seconds from the race's start to the first evaluation at or above the task's target. */
  targetSeconds: number | null;
  targetStep: number | null;
  /** Median milliseconds per training step. */
  msPerStep: number | null;
  trainable: number | null;
  /** Peak tensor memory of its worker, bytes. */
  peakBytes: number | null;
}

export interface ParsedRace {
  setup: RaceSetup;
  /** Sentences for the reader, one per problem found in the address. */
  problems: string[];
  /** The shared final table, when the address holds a valid one for this setup. */
  shared: LaneResult[] | null;
}

const ID_PATTERN = /^[a-z0-9-]{1,40}$/;

/** A value from the address as it may be quoted in a message: short, printable. */
function quoted(raw: string): string {
  const clean = raw.replace(/[^\x20-\x7e]/g, '?');
  return `"${clean.length > 30 ? `${clean.slice(0, 30)}…` : clean}"`;
}

export function parseRaceParams(params: URLSearchParams): ParsedRace {
  const problems: string[] = [];

  const rawTask = params.get('task');
  let task: TaskId = DEFAULT_TASK;
  if (rawTask !== null) {
    if ((TASK_IDS as readonly string[]).includes(rawTask)) task = rawTask as TaskId;
    else problems.push(`Unknown task ${quoted(rawTask)}; the tasks are ${TASK_IDS.join(', ')}. Showing ${findTask(DEFAULT_TASK).name}.`);
  }

  const rawSteps = params.get('steps');
  let steps = DEFAULT_STEPS;
  if (rawSteps !== null) {
    const n = /^\d{1,6}$/.test(rawSteps.trim()) ? Number(rawSteps.trim()) : NaN;
    if (Number.isInteger(n) && n >= MIN_STEPS && n <= MAX_STEPS) steps = n;
    else problems.push(`Steps must be a whole number from ${MIN_STEPS} to ${MAX_STEPS}, not ${quoted(rawSteps)}; using ${DEFAULT_STEPS}.`);
  }

  const rawBackend = params.get('backend');
  let backend: RaceBackend = 'auto';
  if (rawBackend !== null) {
    if (rawBackend === 'auto' || (BACKENDS as readonly string[]).includes(rawBackend)) backend = rawBackend as RaceBackend;
    else problems.push(`Unknown backend ${quoted(rawBackend)}; the backends are auto, ${BACKENDS.join(', ')}. Choosing automatically.`);
  }

  const methods = parseMethods(params.get('methods'), task, problems);
  const setup: RaceSetup = { task, methods, steps, backend };

  const rawResults = params.get('r');
  let shared: LaneResult[] | null = null;
  if (rawResults !== null) {
    const decoded = decodeResults(rawResults, setup);
    if ('error' in decoded) problems.push(`The shared results in this link could not be read (${decoded.error}); showing the setup only.`);
    else shared = decoded.results;
  }
  return { setup, problems, shared };
}

function parseMethods(raw: string | null, task: TaskId, problems: string[]): string[] {
  if (raw === null) return defaultMethodsFor(task, []);
  const kept: string[] = [];
  for (const id of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (kept.includes(id)) {
      problems.push(`${quoted(id)} is listed twice; it races once.`);
      continue;
    }
    const found = ID_PATTERN.test(id) ? lookupPeftMethod(id) : { error: `unknown method ${quoted(id)}` };
    if ('error' in found) {
      problems.push(`${capitalise(found.error)}.`);
      continue;
    }
    const problem = taskProblem(found.method, findTask(task));
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (kept.length === MAX_METHODS) {
      problems.push(`A race has at most ${MAX_METHODS} methods; ${found.method.name} was left out.`);
      continue;
    }
    kept.push(id);
  }
  if (kept.length >= MIN_METHODS) return kept;
  problems.push(`A race needs at least ${MIN_METHODS} methods that can train on ${findTask(task).name}; added defaults.`);
  return defaultMethodsFor(task, kept);
}

/** `kept`, topped up with the default methods (then the registry's order) that run on `task`:
 * to the three defaults when nothing was kept, else to the minimum. */
function defaultMethodsFor(task: TaskId, kept: readonly string[]): string[] {
  const out = [...kept];
  const size = kept.length === 0 ? DEFAULT_METHODS.length : MIN_METHODS;
  for (const id of [...DEFAULT_METHODS, ...METHODS.map((m) => m.id)]) {
    if (out.length >= size) break;
    const found = lookupPeftMethod(id);
    if (!out.includes(id) && 'method' in found && taskProblem(found.method, findTask(task)) === null) out.push(id);
  }
  return out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The address for a setup, and with `results` its final table. Values are ids, digits and
 * `.-~,` only, written unescaped so the link stays readable (`methods=lora,bitfit`).
 */
export function raceQuery(setup: RaceSetup, results?: readonly LaneResult[]): string {
  const parts = [`task=${setup.task}`, `methods=${setup.methods.join(',')}`, `steps=${setup.steps}`];
  if (setup.backend !== 'auto') parts.push(`backend=${setup.backend}`);
  if (results && results.length > 0) parts.push(`r=${encodeResults(results)}`);
  return `?${parts.join('&')}`;
}

// ---- The final table in a link: one entry per method, fields joined by '~', 'x' for none. ----

const STATUS_CODES: Record<LaneStatus, string> = { finished: 'f', stopped: 's', error: 'e' };
const BACKEND_CODES: Record<BackendName, string> = { webgpu: 'g', webgl: 'l', wasm: 'w', cpu: 'c' };
const NONE = 'x';

function num(v: number | null, digits: number): string {
  if (v === null || !Number.isFinite(v)) return NONE;
  // Trailing zeros carry nothing: 0.8125 stays, 0.5000 becomes 0.5.
  return String(Number(v.toFixed(digits)));
}

export function encodeResults(results: readonly LaneResult[]): string {
  return results
    .map((r) =>
      [
        r.method,
        STATUS_CODES[r.status],
        r.backend ? BACKEND_CODES[r.backend] : NONE,
        String(r.steps),
        // Exact match is k/128 (the held-out set), exact in 7 decimals; the others at the precision
        // the table shows, so a shared table reads exactly as the one it came from.
        num(r.accuracy, 7),
        num(r.targetSeconds, 1),
        num(r.targetStep, 0),
        num(r.msPerStep, 1),
        num(r.trainable, 0),
        num(r.peakBytes, 0),
      ].join('~'),
    )
    .join(',');
}

const FIELDS = 10;

/** Decodes `r` for `setup`: one valid entry per raced method, in the setup's order. */
export function decodeResults(raw: string, setup: RaceSetup): { results: LaneResult[] } | { error: string } {
  const entries = raw.split(',');
  if (entries.length !== setup.methods.length) return { error: `it lists ${entries.length} results for ${setup.methods.length} methods` };
  const results: LaneResult[] = [];
  for (const [i, entry] of entries.entries()) {
    const f = entry.split('~');
    const method = setup.methods[i] as string;
    if (f.length !== FIELDS) return { error: `entry ${i + 1} has ${f.length} fields, not ${FIELDS}` };
    if (f[0] !== method) return { error: `entry ${i + 1} is for ${quoted(f[0] ?? '')}, not ${method}` };
    const status = (Object.keys(STATUS_CODES) as LaneStatus[]).find((s) => STATUS_CODES[s] === f[1]);
    if (!status) return { error: `entry ${i + 1} has an unknown status` };
    const backend = f[2] === NONE ? null : ((Object.keys(BACKEND_CODES) as BackendName[]).find((b) => BACKEND_CODES[b] === f[2]) ?? undefined);
    if (backend === undefined) return { error: `entry ${i + 1} has an unknown backend` };
    try {
      const steps = field(f[3], 'steps', 0, setup.steps, true, false);
      const result: LaneResult = {
        method,
        status,
        backend,
        steps: steps as number,
        accuracy: field(f[4], 'exact match', 0, 1, false, true),
        targetSeconds: field(f[5], 'time to target', 0, 1e6, false, true),
        targetStep: field(f[6], 'step at target', 0, steps as number, true, true),
        msPerStep: field(f[7], 'ms/step', 0, 1e7, false, true),
        trainable: field(f[8], 'trainable parameters', 0, 1e12, true, true),
        peakBytes: field(f[9], 'peak memory', 0, 1e13, true, true),
      };
      if ((result.targetSeconds === null) !== (result.targetStep === null)) throw new RangeError('time and step at target go together');
      if (status !== 'error' && result.accuracy === null) throw new RangeError('a finished run needs its exact match');
      results.push(result);
    } catch (err) {
      return { error: `entry ${i + 1}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return { results };
}

function field(raw: string | undefined, label: string, min: number, max: number, integer: boolean, nullable: boolean): number | null {
  if (raw === NONE && nullable) return null;
  const v = raw !== undefined && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) throw new RangeError(`${label} is not a number from ${min} to ${max}`);
  return v;
}
