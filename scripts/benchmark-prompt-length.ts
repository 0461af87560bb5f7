/**
 * How far soft prompts get on the toy: trains Prompt Tuning on several toy tasks at several prompt
 * lengths and seeds (and, at the default length, with each of Lester et al.'s initialisations),
 * prints a table of held-out exact match and writes content/data/prompt-tuning-scale.json, which
 * the Prompt Tuning page draws. A measurement, not a test.
 *   npx tsx scripts/benchmark-prompt-length.ts [--backend wasm|cpu] [--workers 2] [--steps 400]
 *        [--lr 0.1] [--seeds 3] [--out content/data/prompt-tuning-scale.json]
 * Runs are spread over `--workers` processes (one per core); each run is the playground's run
 * (runFineTune) with the method's own apply, so the figures are what the playground would show.
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { AppliedMethod } from '@/lib/peft/method-api/types';
import { initialPrompt, promptTuning, PROMPT_INITS, type PromptInit } from '@/lib/peft/methods/prompt-tuning';
import { createRng } from '@/lib/peft/model/random';
import { exampleBatch, findTask, type Task, type TaskId, taskBatch } from '@/lib/peft/model/tasks';
import { ToyModel } from '@/lib/peft/model/transformer';
import { decodeWeights } from '@/lib/peft/model/weights';
import { heldOutExamples } from '@/lib/peft/train/session';
import { Trainer, evaluate } from '@/lib/peft/train/trainer';
import { useNodeBackend } from '@/lib/peft/train/node-backend';
import { numberFlag, parseFlags } from './lib/cli';

/** The tasks measured: one a prompt only has to redirect (echo: copy after "=" as after ">"), a
 * yes/no judgement over words the base model has seen together, and one whose answers are words
 * pretraining never showed (topic names). */
const DEFAULT_TASKS: readonly TaskId[] = ['echo', 'pair', 'topic'];
const DEFAULT_LENGTHS = [1, 4, 16, 32];
/** The initialisations are compared at this length on `pair`, whose two label words fill half of it. */
const INIT_LENGTH = 4;

interface Job {
  task: TaskId;
  tokens: number;
  init: PromptInit;
  seed: number;
}

interface Result extends Job {
  exactMatch: number;
  loss: number;
  baseExactMatch: number;
  trainable: number;
  seconds: number;
}

const flags = parseFlags(process.argv.slice(2));
const backendName = flags.get('backend') === 'cpu' ? 'cpu' : 'wasm';
const steps = numberFlag(flags, 'steps', 300);
const learningRate = flags.has('lr') ? numberFlag(flags, 'lr', 0) : promptTuning.toyLearningRate;
const batchSize = numberFlag(flags, 'batch', 16);
const weightsPath = flags.get('weights') ?? 'public/models/toy-base.bin';
const TASKS = flags.has('tasks') ? (flags.get('tasks') as string).split(',').map((t) => findTask(t).id) : DEFAULT_TASKS;
const LENGTHS = flags.has('lengths') ? (flags.get('lengths') as string).split(',').map(Number) : DEFAULT_LENGTHS;

/** Batch length for a task: its longest example (BOS to EOS). Padding comes after each example and
 * attention is causal, so a shorter batch gives the playground's logits at less cost. */
function batchLength(task: Task, context: number, heldOut: readonly { prompt: string; target: string }[]): number {
  const rng = createRng(1);
  const examples = [...heldOut, ...Array.from({ length: 4000 }, () => task.sample(rng))];
  // tokens = BOS + prompt + target + EOS; a batch of length n holds n + 1 tokens.
  return Math.min(context, Math.max(...examples.map((e) => e.prompt.length + e.target.length + 1)) + 2);
}

/** One run as the playground makes it (session.ts's runFineTune: the same seeded training batches,
 * the same 128 held-out examples), with the prompt started by `init`. */
async function measure(job: Job): Promise<Result> {
  const { header, values } = decodeWeights(readFileSync(weightsPath));
  const model = ToyModel.fromValues(header.dims, values);
  const started = performance.now();
  const task = findTask(job.task);
  const heldOut = heldOutExamples(task.id, job.seed);
  const length = batchLength(task, header.dims.context, heldOut);
  const evalBatch = exampleBatch(heldOut, length, task.classes);
  const baseline = evaluate(model, { hooks: {} }, evalBatch);
  const start = initialPrompt(model, job.tokens, job.init, { seed: job.seed, task });
  const prompt = tf.variable(start, true);
  start.dispose();
  const applied: AppliedMethod = { trainable: [prompt], hooks: { inputPrefix: () => prompt }, dispose: () => prompt.dispose() };
  const trainer = new Trainer(model, applied, { steps, learningRate, task, seed: job.seed });
  const rng = createRng(job.seed);
  for (let step = 0; step < steps; step++) trainer.step(taskBatch(task, rng, batchSize, length));
  const final = evaluate(model, applied, evalBatch);
  trainer.dispose();
  applied.dispose();
  model.dispose();
  return {
    ...job,
    exactMatch: final.accuracy,
    loss: Number(final.loss.toFixed(4)),
    baseExactMatch: baseline.accuracy,
    trainable: prompt.size,
    seconds: Math.round((performance.now() - started) / 1000),
  };
}

/** A worker process: runs the jobs it is sent, one at a time, and sends each result back. */
async function serve(): Promise<void> {
  await useNodeBackend(backendName);
  process.on('message', (job: Job | 'done') => {
    if (job === 'done') process.exit(0);
    measure(job).then(
      (result) => process.send?.(result),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.send?.('ready');
}

function jobs(seeds: number): Job[] {
  const list: Job[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    for (const task of TASKS) for (const tokens of LENGTHS) list.push({ task, tokens, init: 'sample-vocab', seed });
    // The initialisations compared at the default length, on a task with label words.
    for (const init of PROMPT_INITS) if (init !== 'sample-vocab') list.push({ task: 'pair', tokens: INIT_LENGTH, init, seed });
  }
  // Seed by seed, so the file written after each run holds whole seeds first; the answer-word
  // task (topic, 32-token batches, the costliest) last.
  const rank = (j: Job) => (j.task === 'topic' ? 2 : j.init === 'sample-vocab' ? 0 : 1);
  return list.map((job, i) => ({ job, i })).sort((a, b) => rank(a.job) - rank(b.job) || a.i - b.i).map(({ job }) => job);
}

const out = flags.get('out') ?? 'content/data/prompt-tuning-scale.json';

/** Writes the runs done so far (after each run, so a stopped measurement keeps its whole seeds). */
function save(results: readonly Result[], total: number, minutes: number): void {
  const sorted = [...results].sort((a, b) => TASKS.indexOf(a.task) - TASKS.indexOf(b.task) || PROMPT_INITS.indexOf(a.init) - PROMPT_INITS.indexOf(b.init) || a.tokens - b.tokens || a.seed - b.seed);
  const dataset = {
    about: 'Measured by scripts/benchmark-prompt-length.ts: Prompt Tuning on the shipped toy base model, each run as the playground makes it (same training batches and 128 held-out examples per seed); exact match on the held-out examples.',
    measured: {
      date: new Date().toISOString().slice(0, 10),
      backend: backendName,
      runtime: `Node ${process.version}`,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      minutes: Number(minutes.toFixed(1)),
      runsDone: `${results.length} of ${total}`,
    },
    settings: { steps, batchSize, learningRate, optimizer: 'AdamW, linear warmup (6%) and decay, clip 1', seeds: [...new Set(results.map((r) => r.seed))].sort((x, y) => x - y), lengths: [...LENGTHS], tasks: [...TASKS], initLength: INIT_LENGTH, inits: [...PROMPT_INITS] },
    runs: sorted.map(({ task, tokens, init, seed, exactMatch, loss, baseExactMatch, trainable }) => ({ task, tokens, init, seed, exactMatch, loss, baseExactMatch, trainable })),
  };
  writeFileSync(out, `${JSON.stringify(dataset, null, 2)}\n`);
}

async function lead(): Promise<void> {
  const seeds = numberFlag(flags, 'seeds', 2);
  const workers = Math.max(1, Math.min(numberFlag(flags, 'workers', 2), os.cpus().length));
  const queue = jobs(seeds);
  const total = queue.length;
  const results: Result[] = [];
  const started = performance.now();
  console.log(`prompt tuning on the toy: ${total} runs of ${steps} steps (batch ${batchSize}, learning rate ${learningRate}) on ${workers} workers, backend ${backendName}`);
  const script = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: workers }, () =>
      new Promise<void>((resolve, reject) => {
        const child = fork(script, [...process.argv.slice(2), '--worker', 'yes'], { execArgv: process.execArgv });
        const next = () => {
          const job = queue.shift();
          child.send(job ?? 'done');
        };
        child.on('message', (m: Result | 'ready') => {
          if (m !== 'ready') {
            results.push(m);
            save(results, total, (performance.now() - started) / 60_000);
            console.log(`  ${String(results.length).padStart(3)}/${total} ${m.task.padEnd(6)} l=${String(m.tokens).padEnd(3)} ${m.init.padEnd(14)} seed ${m.seed}: ${(100 * m.exactMatch).toFixed(1)}% (${m.seconds} s)`);
          }
          next();
        });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a worker exited with status ${code}`))));
      }),
    ),
  );

  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const cell = (rows: Result[]) => (rows.length === 0 ? '—' : `${pct(rows.reduce((s, r) => s + r.exactMatch, 0) / rows.length)} (${rows.map((r) => pct(r.exactMatch)).join(', ')})`);
  console.log('');
  console.log(`Exact match on 128 held-out examples, mean over ${seeds} seeds (each seed):`);
  console.log(`| task | ${LENGTHS.map((l) => `l = ${l}`).join(' | ')} |`);
  console.log(`|---|${LENGTHS.map(() => '---:').join('|')}|`);
  const byLength = results.filter((r) => r.init === 'sample-vocab');
  for (const task of TASKS) console.log(`| ${task} | ${LENGTHS.map((l) => cell(byLength.filter((r) => r.task === task && r.tokens === l))).join(' | ')} |`);
  console.log('');
  console.log(`Initialisation, on pair with l = ${INIT_LENGTH}:`);
  for (const init of PROMPT_INITS) console.log(`| ${init} | ${cell(results.filter((r) => r.task === 'pair' && r.init === init && r.tokens === INIT_LENGTH))} |`);
  const minutes = (performance.now() - started) / 60_000;
  console.log(`${total} runs in ${minutes.toFixed(1)} min`);

  save(results, total, minutes);
  console.log(`wrote ${out}`);
}

if (flags.has('worker')) await serve();
else await lead();
