import * as tf from '@tensorflow/tfjs';
import { BACKENDS, BACKEND_LABELS, type BackendName } from './protocol';

export interface BackendChoice {
  backend: BackendName;
  /** Every backend tried and not used, each with why, worded by `describeOutcome`. */
  skipped: { backend: BackendName; reason: string }[];
  /** Why `backend` runs, in one sentence. */
  reason: string;
  /** The training speed measured on each backend that was timed (automatic choice only). */
  measured: { backend: BackendName; msPerStep: number }[];
}

/**
 * Times a few training steps on the backend that is active now, after one untimed warm-up step
 * (which compiles kernels). It stops early, with `complete: false`, once a timed step has taken
 * longer than `limitMs` (a backend far slower than the
 * best so far is not worth timing to the end); `msPerStep` is then the time of the slowest step.
 */
export type StepTimer = (backend: BackendName, limitMs: number) => Promise<{ msPerStep: number; complete: boolean }>;

/** What `chooseBackend` does to TensorFlow.js, replaceable in tests. */
export interface BackendHost {
  /** Why `name` cannot run here, or null if it may start. Registers the backend on the way. */
  prepare(name: BackendName, wasmPath: string): Promise<string | null>;
  /** Makes `name` the active backend; false if it would not start. */
  activate(name: BackendName): Promise<boolean>;
  /** A tiny forward-and-backward check on the active backend. */
  selfTest(): boolean;
}

/** What happened to one backend while choosing. */
export type BackendOutcome =
  | { backend: BackendName; kind: 'unavailable'; why: string }
  | { backend: BackendName; kind: 'timed'; msPerStep: number }
  | { backend: BackendName; kind: 'cut'; msPerStep: number }
  | { backend: BackendName; kind: 'failed'; why: string };

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

/** The browser's TensorFlow.js. */
export const TFJS_HOST: BackendHost = {
  async prepare(name, wasmPath) {
    switch (name) {
      case 'webgpu': {
        const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
        if (!gpu) return 'this browser does not expose WebGPU (navigator.gpu is missing)';
        if (!(await gpu.requestAdapter())) return 'WebGPU is present but offers no GPU adapter';
        await import('@tensorflow/tfjs-backend-webgpu');
        return null;
      }
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        // Single-threaded SIMD: on the toy's small matrices threads cost more than they save, and the
        // threaded build needs a cross-origin isolated page.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        wasm.setWasmPaths(wasmPath);
        return null;
      }
      default:
        return null; // WebGL and CPU ship with @tensorflow/tfjs
    }
  },
  async activate(name) {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return true;
  },
  selfTest() {
    // Some drivers compile kernels that run but compute nonsense.
    return tf.tidy(() => {
      const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.softmax(tf.matMul(x, a))))(a);
      const product = tf.matMul(a, a).dataSync();
      const expected = [7, 10, 15, 22];
      return product.every((v, i) => Math.abs(v - (expected[i] as number)) < 1e-4) && grad.dataSync().every(Number.isFinite);
    });
  },
};

/** The order backends are timed in by the automatic choice. */
export const TIMING_ORDER: readonly BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

/** A backend whose step takes longer than this many times the fastest so far is not timed further. */
export const CUT_FACTOR = 3;

const label = (b: BackendName) => BACKEND_LABELS[b];
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms/step`;

/** Starts `backend` and checks it: null when it runs, else why not (the same words for every caller). */
async function start(host: BackendHost, backend: BackendName, wasmPath: string): Promise<string | null> {
  try {
    const why = await host.prepare(backend, wasmPath);
    if (why) return why;
    if (!(await host.activate(backend))) return 'it did not start in this browser';
    if (!host.selfTest()) return 'it started but failed a numerical self-test';
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Why a backend was not used, relative to the one that was. */
export function describeOutcome(outcome: BackendOutcome, chosen: { backend: BackendName; msPerStep: number | null }): string {
  switch (outcome.kind) {
    case 'unavailable':
      return `could not start: ${outcome.why}`;
    case 'timed':
      return chosen.msPerStep === null ? `measured ${ms(outcome.msPerStep)}` : `measured ${ms(outcome.msPerStep)}, slower than ${label(chosen.backend)} at ${ms(chosen.msPerStep)}`;
    case 'cut':
      return `timing stopped after a step of ${Math.round(outcome.msPerStep)} ms, over ${CUT_FACTOR}× ${chosen.msPerStep === null ? 'the fastest' : `${label(chosen.backend)} at ${ms(chosen.msPerStep)}`}`;
    case 'failed':
      return `started, but training on it failed: ${outcome.why}`;
  }
}

/**
 * Starts a TensorFlow.js backend for training.
 * - `'auto'` with a `timer`: starts every backend that works here, times a few training steps on
 *   each, and keeps the fastest. A backend slower than `CUT_FACTOR`× the best so far is cut short.
 * - `'auto'` without one: the first that starts, in the order WebGPU → WebGL → WASM → CPU.
 * - A backend by name: that one, or if it cannot start, the next one down that can.
 * The chosen backend is active when this resolves.
 */
export async function chooseBackend(preference: BackendName | 'auto', wasmPath: string, options: { timer?: StepTimer; host?: BackendHost } = {}): Promise<BackendChoice> {
  const host = options.host ?? TFJS_HOST;
  const timer = preference === 'auto' ? options.timer : undefined;
  // Timing WASM first (it starts in well under a second) gives a bar that cuts slow ones short.
  const order = preference !== 'auto' ? BACKENDS.slice(BACKENDS.indexOf(preference)) : timer ? TIMING_ORDER : BACKENDS;
  const outcomes: BackendOutcome[] = [];
  let best: { backend: BackendName; msPerStep: number } | null = null;
  let first: BackendName | null = null;
  for (const backend of order) {
    if (first && !timer) break;
    const why = await start(host, backend, wasmPath);
    if (why) {
      outcomes.push({ backend, kind: 'unavailable', why });
      continue;
    }
    first ??= backend;
    if (!timer) continue;
    const limit = best ? best.msPerStep * CUT_FACTOR : Number.POSITIVE_INFINITY;
    try {
      const { msPerStep, complete } = await timer(backend, limit);
      if (!complete || !Number.isFinite(msPerStep)) {
        outcomes.push({ backend, kind: 'cut', msPerStep });
        continue;
      }
      outcomes.push({ backend, kind: 'timed', msPerStep });
      if (!best || msPerStep < best.msPerStep) best = { backend, msPerStep };
    } catch (err) {
      outcomes.push({ backend, kind: 'failed', why: err instanceof Error ? err.message : String(err) });
    }
  }
  const chosen = best?.backend ?? first;
  if (!chosen) {
    const reasons = outcomes.map((o) => `${label(o.backend)}: ${describeOutcome(o, { backend: o.backend, msPerStep: null })}`);
    throw new Error(`no TensorFlow.js backend could start: ${reasons.join('; ')}`);
  }
  // Timing left the last backend tried active.
  if (timer && !(await host.activate(chosen))) throw new Error(`${label(chosen)} stopped working after it was timed`);
  const chosenSpeed = { backend: chosen, msPerStep: best?.msPerStep ?? null };
  const skipped = outcomes.filter((o) => o.backend !== chosen).map((o) => ({ backend: o.backend, reason: describeOutcome(o, chosenSpeed) }));
  const measured = outcomes.flatMap((o) => (o.kind === 'timed' ? [{ backend: o.backend, msPerStep: o.msPerStep }] : []));
  const timed = outcomes.filter((o) => o.kind === 'timed' || o.kind === 'cut').length;
  return { backend: chosen, skipped, reason: choiceReason(preference, chosen, best, timed), measured };
}

function choiceReason(preference: BackendName | 'auto', chosen: BackendName, best: { msPerStep: number } | null, timed: number): string {
  if (preference !== 'auto') {
    return preference === chosen ? 'chosen by hand' : `${label(preference)} was chosen by hand but could not start; ${label(chosen)} is the next one down that runs`;
  }
  if (!best) return 'the first backend that starts here, in the order WebGPU → WebGL → WASM → CPU';
  return timed > 1 ? `the fastest of ${timed} backends timed on this run's training steps, at ${ms(best.msPerStep)}` : `the only backend that runs here, at ${ms(best.msPerStep)}`;
}
