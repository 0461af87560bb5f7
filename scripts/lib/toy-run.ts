import os from 'node:os';
import { ToyModel } from '@/lib/peft/model/transformer';
import { decodeWeights } from '@/lib/peft/model/weights';
import type { FromWorker, ProgressMessage, RunRequest } from '@/lib/peft/train/protocol';
import { runFineTune } from '@/lib/peft/train/session';
import type { ToyRun } from '@/lib/datasets/toy-benchmark';
import { median } from '@/lib/stats';

type Ready = Extract<FromWorker, { type: 'ready' }>;
type Finished = Extract<FromWorker, { type: 'finished' }>;

/**
 * One playground run, start to end, on a fresh copy of the shipped weights (`weights`: the file's
 * bytes), as the benchmarks make it: its ready and finished reports, each step's progress passed to
 * `onProgress`. An error report throws.
 */
export async function runOnShippedModel(
  weights: Uint8Array,
  request: RunRequest,
  onProgress: (m: ProgressMessage) => void = () => {},
  onReady: (m: Ready) => void = () => {},
): Promise<{ ready: Ready; finished: Finished }> {
  const { header, values } = decodeWeights(weights);
  const model = ToyModel.fromValues(header.dims, values);
  let ready: Ready | null = null;
  let finished: Finished | null = null;
  try {
    await runFineTune(
      model,
      request,
      (m) => {
        if (m.type === 'ready') {
          ready = m;
          onReady(m);
        }
        if (m.type === 'progress') onProgress(m);
        if (m.type === 'finished') finished = m;
        if (m.type === 'error') throw new Error(`${request.method} on ${request.task}: ${m.message}`);
      },
      { stopped: () => false, proceed: async () => {} },
    );
  } finally {
    model.dispose();
  }
  const [r, f] = [ready as Ready | null, finished as Finished | null];
  if (!r || !f) throw new Error(`${request.method} on ${request.task} did not finish`);
  return { ready: r, finished: f };
}

/** One seed's measured run for the toy benchmark (lib/datasets/toy-benchmark.ts ToyRun). */
export interface MeasuredRun {
  ready: Ready;
  run: ToyRun;
}

/** Steps whose time is left out of ms/step: the first ones compile kernels. */
const WARMUP_STEPS = 5;

/**
 * One benchmark run: `runOnShippedModel` with the clock on it. Steps and seconds to `target` are
 * those of the first evaluation (every `request.evalEvery` steps, and the last) whose held-out
 * exact match reaches it, seconds counted from the 'ready' report (setup done, first step next).
 */
export async function measureToyRun(weights: Uint8Array, request: RunRequest, target: number, onStep: (m: ProgressMessage) => void = () => {}): Promise<MeasuredRun> {
  const started = performance.now();
  let trainingStarted = started;
  const times: number[] = [];
  let reached: { step: number; seconds: number } | null = null;
  const { ready, finished } = await runOnShippedModel(
    weights,
    request,
    (m) => {
      times.push(m.msPerStep);
      if (!reached && m.eval && m.eval.accuracy >= target) reached = { step: m.step, seconds: (performance.now() - trainingStarted) / 1000 };
      onStep(m);
    },
    () => {
      trainingStarted = performance.now();
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const timed = times.length > WARMUP_STEPS ? times.slice(WARMUP_STEPS) : times;
  const hit = reached as { step: number; seconds: number } | null;
  return {
    ready,
    run: {
      seed: request.seed,
      finalMetric: finished.final.accuracy,
      finalLoss: Number(finished.final.loss.toFixed(4)),
      stepsToTarget: hit ? hit.step : null,
      secondsToTarget: hit ? Number(hit.seconds.toFixed(3)) : null,
      seconds: Number(seconds.toFixed(3)),
      msPerStepMedian: Number(median(timed).toFixed(3)),
      peakTensorBytes: finished.peakBytes,
      loadAverage: Number((os.loadavg()[0] ?? 0).toFixed(2)),
    },
  };
}
