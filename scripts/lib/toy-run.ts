import { ToyModel } from '@/lib/peft/model/transformer';
import { decodeWeights } from '@/lib/peft/model/weights';
import type { FromWorker, ProgressMessage, RunRequest } from '@/lib/peft/train/protocol';
import { runFineTune } from '@/lib/peft/train/session';

type Ready = Extract<FromWorker, { type: 'ready' }>;
type Finished = Extract<FromWorker, { type: 'finished' }>;

/**
 * One playground run, start to end, on a fresh copy of the shipped weights (`weights`: the file's
 * bytes), as the benchmarks make it: its ready and finished reports, each step's progress passed to
 * `onProgress`. An error report throws.
 */
export async function runOnShippedModel(weights: Uint8Array, request: RunRequest, onProgress: (m: ProgressMessage) => void = () => {}): Promise<{ ready: Ready; finished: Finished }> {
  const { header, values } = decodeWeights(weights);
  const model = ToyModel.fromValues(header.dims, values);
  let ready: Ready | null = null;
  let finished: Finished | null = null;
  try {
    await runFineTune(
      model,
      request,
      (m) => {
        if (m.type === 'ready') ready = m;
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
