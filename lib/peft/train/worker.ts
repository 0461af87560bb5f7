/// <reference lib="webworker" />
import { ToyModel } from '../model/transformer';
import { decodeWeights } from '../model/weights';
import { type BackendChoice, TFJS_HOST, chooseBackend } from './backend';
import { trainingStepTimer } from './step-timer';
import type { FromWorker, ToWorker } from './protocol';
import { runFineTune } from './session';

/**
 * The playground's training thread: loads the shipped base weights, picks a backend (by timing
 * training steps on each when automatic), runs one fine-tune and streams progress. The page never trains on its own thread.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => scope.postMessage(m);

let paused = false;
let stopped = false;
let wake: (() => void) | null = null;
let weights: ArrayBuffer | null = null;

const control = {
  stopped: () => stopped,
  proceed: () =>
    new Promise<void>((resolve) => {
      // A macrotask between steps lets pause/stop messages arrive.
      if (!paused) setTimeout(resolve, 0);
      else wake = resolve;
    }),
};

/** The automatic choice, measured once per worker: a second run on the page reuses it. */
let measuredChoice: BackendChoice | null = null;

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  if (!weights) {
    const response = await fetch(message.weightsUrl);
    if (!response.ok) throw new Error(`could not load the base model (${response.status} ${response.statusText})`);
    weights = await response.arrayBuffer();
  }
  const { header, values } = decodeWeights(weights);
  let choice: BackendChoice;
  if (message.backend === 'auto' && measuredChoice && (await TFJS_HOST.activate(measuredChoice.backend))) {
    choice = { ...measuredChoice, reason: `${measuredChoice.reason}, measured at this page's first run` };
  } else {
    choice = await chooseBackend(message.backend, message.wasmPath, { timer: trainingStepTimer(header.dims, values, message.request) });
    if (message.backend === 'auto') measuredChoice = choice;
  }
  post({ type: 'backend', ...choice });
  const model = ToyModel.fromValues(header.dims, values);
  try {
    await runFineTune(model, message.request, post, control);
  } finally {
    model.dispose();
  }
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      stopped = false;
      paused = false;
      start(message).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err), diverged: false }));
      break;
    case 'pause':
      paused = true;
      break;
    case 'resume':
      paused = false;
      wake?.();
      wake = null;
      break;
    case 'stop':
      stopped = true;
      paused = false;
      wake?.();
      wake = null;
      break;
  }
};
