/**
 * Trainable parameters, training memory and cost of a PEFT method on a real model, for scripts:
 *   npm run --silent cost -- --model meta-llama/Llama-2-7b-hf --method lora --r 8 --targets q_proj,v_proj \
 *     [--batch 8 --seq 512 --precision bf16 --optimizer adamw --checkpointing] [--json]
 * Hyperparameter flags are the method's own names (see lib/peft/methods/<id>.ts). Numbers and
 * yes/no values are read by lib/peft/input, as the calculators read them. Bad input exits with
 * status 2 and a one-line error; anything unexpected with status 1 and one line, never a stack trace.
 */
import { DEFAULT_SETUP } from '@/lib/peft/cost/memory';
import { estimate, type Estimate } from '@/lib/peft/estimate';
import { cleanMessage, hyperFromText, readBoolean, setupFromText } from '@/lib/peft/input';
import type { PeftMethod } from '@/lib/peft/method-api/types';
import { findPeftMethod } from '@/lib/peft/registry';
import { UsageError, fail, parseFlags } from './lib/cli';

const SETUP_FLAGS = new Set(['model', 'method', 'batch', 'seq', 'precision', 'optimizer', 'checkpointing', 'json']);
/** Flags that may stand alone (`--json`) or take a yes/no word (`--checkpointing 0`). */
const BOOLEAN_FLAGS = new Set(['checkpointing', 'json']);

function main(): void {
  const flags = parseFlags(process.argv.slice(2), BOOLEAN_FLAGS);
  const modelId = flags.get('model');
  const methodId = flags.get('method');
  if (!modelId) fail('--model is required, e.g. --model meta-llama/Llama-2-7b-hf');
  if (!methodId) fail('--method is required, e.g. --method lora');
  const method: PeftMethod = findPeftMethod(methodId);
  const hyper: Record<string, string> = {};
  for (const [flag, raw] of flags) if (!SETUP_FLAGS.has(flag)) hyper[flag] = raw;
  // Checked where the calculators check them too: resolveConfig and validateSetup inside estimate().
  const setup = setupFromText({
    batch: flags.get('batch') ?? String(DEFAULT_SETUP.batchSize),
    seq: flags.get('seq') ?? String(DEFAULT_SETUP.sequenceLength),
    precision: flags.get('precision') ?? DEFAULT_SETUP.precision,
    optimizer: flags.get('optimizer') ?? DEFAULT_SETUP.optimizer,
    checkpointing: DEFAULT_SETUP.gradientCheckpointing,
    checkpointingText: flags.get('checkpointing'),
  });
  const json = readBoolean('--json', flags.get('json') ?? 'false');

  const e: Estimate = estimate(modelId, methodId, hyperFromText(method, hyper), setup);
  const result = {
    model: e.model.id,
    method: e.method.id,
    config: e.config,
    setup: e.setup,
    trainable: e.trainable,
    saved: e.saved,
    total: e.total,
    peftTotal: e.peftTotal,
    trainableShare: e.trainable / e.total,
    checkpointBytes: e.checkpointBytes,
    memory: e.memory,
    fullFineTuningMemory: e.fullFineTuning,
    trainingFlopsPerToken: e.flopsPerToken,
    inference: e.inference,
    fitsOnGpuGB: Object.fromEntries(e.fits.map((f) => [f.gb, f.fits])),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
  console.log(`${e.method.name} on ${e.model.name}: ${e.trainable.toLocaleString('en-US')} of ${e.total.toLocaleString('en-US')} parameters trainable (${((100 * e.trainable) / e.total).toFixed(4)}%)`);
  console.log(`training memory ≈ ${gb(e.memory.total)} (full fine-tuning ≈ ${gb(e.fullFineTuning.total)}); checkpoint ${gb(e.checkpointBytes)}`);
  for (const [k, v] of Object.entries(e.memory)) if (k !== 'total') console.log(`  ${k.padEnd(15)} ${gb(v)}`);
}

try {
  main();
} catch (err) {
  // Settings the estimator rejects (RangeError) are the user's to fix, like a bad flag.
  const usage = err instanceof UsageError || err instanceof RangeError;
  process.stderr.write(`error: ${cleanMessage(err instanceof Error ? err.message : String(err))}\n`);
  process.exitCode = usage ? 2 : 1;
}
