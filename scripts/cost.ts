/**
 * Trainable parameters, training memory, "what fits" and cost of a PEFT method on a model, for scripts:
 *   npm run --silent cost -- --model meta-llama/Llama-2-7b-hf --method lora --r 8 --targets q_proj,v_proj \
 *     [--batch 8 --seq 512 --precision bf16 --recipe mixed-bf16 --optimizer adamw --checkpointing ...] \
 *     [--gpu rtx-4090] [--json]
 *   npm run --silent cost -- --config path/to/config.json --method lora ...   (any model's HF config.json)
 * Hyperparameter flags are the method's own names (see lib/peft/methods/<id>.ts); setting flags are
 * the keys of SETUP_FIELDS (lib/peft/cost/setup.ts), the same as the calculator's URL. Numbers and
 * yes/no values are read by lib/peft/input, as the calculators read them. Bad input exits with
 * status 2 and a one-line error; anything unexpected with status 1 and one line, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_GPU } from '@/lib/peft/cost/fits';
import { SETUP_FIELDS } from '@/lib/peft/cost/setup';
import { estimate, type Estimate } from '@/lib/peft/estimate';
import { architectureFromHfConfig } from '@/lib/peft/hf-config';
import { SETUP_KEYS, cleanMessage, hyperFromText, quoteValue, readBoolean, setupFromText } from '@/lib/peft/input';
import type { ModelInfo } from '@/lib/peft/models';
import { findPeftMethod } from '@/lib/peft/registry';
import { peftSnippet } from '@/lib/peft/export';
import { UsageError, fail, parseFlags } from './lib/cli';

const OWN_FLAGS = ['model', 'config', 'method', 'gpu', 'json'];
/** Flags that may stand alone (`--json`) or take a yes/no word (`--checkpointing 0`). */
const BOOLEAN_FLAGS = new Set(['json', ...SETUP_FIELDS.filter((f) => f.kind === 'boolean').map((f) => f.key)]);

function modelFrom(flags: Map<string, string>): string | ModelInfo {
  const id = flags.get('model');
  const path = flags.get('config');
  if (id !== undefined && path !== undefined) fail('give --model or --config, not both');
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      fail(`cannot read ${quoteValue(path)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      fail(`${quoteValue(path)} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    return architectureFromHfConfig(json, { id: path });
  }
  if (!id) fail('--model (a model id) or --config (a config.json) is required, e.g. --model meta-llama/Llama-2-7b-hf');
  return id;
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), BOOLEAN_FLAGS);
  const methodId = flags.get('method');
  const model = modelFrom(flags);
  if (!methodId) fail('--method is required, e.g. --method lora');
  const method = findPeftMethod(methodId);
  const hyper: Record<string, string> = {};
  for (const [flag, raw] of flags) if (!OWN_FLAGS.includes(flag) && !SETUP_KEYS.includes(flag)) hyper[flag] = raw;
  // Checked where the calculators check them too: resolveConfig and validateSetup inside estimate().
  const setup = setupFromText(Object.fromEntries([...flags].filter(([flag]) => SETUP_KEYS.includes(flag))));
  const json = readBoolean('--json', flags.get('json') ?? 'false');

  const e: Estimate = estimate(model, methodId, hyperFromText(method, hyper), setup, flags.get('gpu') ?? DEFAULT_GPU);
  const snippet = peftSnippet(e.model, e.method, e.config, e.setup);
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
    fits: {
      gpu: e.fits.gpu.id,
      gpuBytes: e.fits.gpu.gib * 2 ** 30,
      fits: e.fits.fits,
      maxBatchSize: e.fits.maxBatchSize,
      maxSequenceLength: e.fits.maxSequenceLength,
      smallestGpus: e.fits.smallestGpus.map((g) => g.id),
    },
    peftSnippet: snippet,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
  const count = (n: number) => n.toLocaleString('en-US');
  console.log(`${e.method.name} on ${e.model.name}: ${count(e.trainable)} of ${count(e.total)} parameters trainable (${((100 * e.trainable) / e.total).toFixed(4)}%); all params as HF PEFT prints them ${count(e.peftTotal)}`);
  console.log(`training memory per GPU ≈ ${gb(e.memory.total)} (full fine-tuning ≈ ${gb(e.fullFineTuning.total)}); checkpoint ${gb(e.checkpointBytes)}`);
  for (const k of ['weights', 'masterWeights', 'gradients', 'optimizerState', 'activations', 'overhead', 'cpu'] as const) console.log(`  ${k.padEnd(15)} ${gb(e.memory[k])}`);
  const f = e.fits;
  const smallest = f.smallestGpus.length > 0 ? f.smallestGpus.map((g) => g.name).join(', ') : 'none of the listed GPUs';
  console.log(`on ${f.gpu.name} (${f.gpu.gib} GiB): ${f.fits ? 'fits' : 'does not fit'}; largest batch ${f.maxBatchSize}, longest sequence ${count(f.maxSequenceLength)}; smallest GPU that fits: ${smallest}`);
  if (snippet) console.log(`\n${snippet}`);
}

try {
  main();
} catch (err) {
  // Settings the estimator rejects (RangeError) are the user's to fix, like a bad flag.
  const usage = err instanceof UsageError || err instanceof RangeError;
  process.stderr.write(`error: ${cleanMessage(err instanceof Error ? err.message : String(err))}\n`);
  process.exitCode = usage ? 2 : 1;
}
