/**
 * The toy benchmark: fine-tunes the shipped base model with every implemented method and prints,
 * per method, ms/step (median), trainable parameters, peak tensor bytes and the held-out metric.
 * A benchmark, not a test: figures depend on the machine.
 *   npm run bench:toy -- [--backend wasm|cpu] [--task <id>|all] [--method <id>] [--lr <rate>]
 *                        [--steps 300] [--batch 16] [--out content/data/toy-benchmark.json]
 * Without --lr each method uses its own toy learning rate (toyLearningRate in its file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { METHODS } from '@/lib/peft/registry';
import { toyConfig } from '@/lib/peft/method-api/config';
import { TASKS, taskProblem } from '@/lib/peft/model/tasks';
import { toyArchitecture } from '@/lib/peft/model/toy-arch';
import { decodeWeights } from '@/lib/peft/model/weights';
import type { RunRequest } from '@/lib/peft/train/protocol';
import { median } from '@/lib/stats';
import { numberFlag, parseFlags, progress } from './lib/cli';
import { runOnShippedModel } from './lib/toy-run';
import { useNodeBackend } from '@/lib/peft/train/node-backend';

const flags = parseFlags(process.argv.slice(2));
const backend = await useNodeBackend(flags.get('backend') === 'cpu' ? 'cpu' : 'wasm');
const steps = numberFlag(flags, 'steps', 300);
const batchSize = numberFlag(flags, 'batch', 16);
const taskFlag = flags.get('task') ?? 'all';
const tasks = TASKS.filter((t) => taskFlag === 'all' || t.id === taskFlag);
if (tasks.length === 0) throw new Error(`unknown --task "${taskFlag}"`);
const methodFlag = flags.get('method');
const methods = METHODS.filter((m) => !methodFlag || m.id === methodFlag);
if (methods.length === 0) throw new Error(`unknown --method "${methodFlag}"`);
const lrFlag = flags.has('lr') ? numberFlag(flags, 'lr', 0) : null;
const weights = readFileSync(flags.get('weights') ?? 'public/models/toy-base.bin');
const arch = toyArchitecture(decodeWeights(weights).header.dims);

interface Row {
  task: string;
  method: string;
  config: Record<string, unknown>;
  learningRate: number;
  trainable: number;
  total: number;
  msPerStepMedian: number;
  peakTensorBytes: number;
  baseExactMatch: number;
  finalExactMatch: number;
  finalLoss: number;
}

const rows: Row[] = [];
console.log(`toy benchmark: backend ${backend}, ${steps} steps, batch ${batchSize}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
for (const task of tasks) {
  for (const method of methods) {
    // A class-head method runs on classification tasks only.
    if (taskProblem(method, task)) continue;
    const config = toyConfig(method, arch);
    const request: RunRequest = { method: method.id, config: { ...config }, task: task.id, steps, batchSize, learningRate: lrFlag ?? method.toyLearningRate, seed: 0, evalEvery: steps };
    const times: number[] = [];
    const bar = progress(`${task.id.padEnd(6)} ${method.id.padEnd(17)}`, steps);
    const { ready: r, finished: f } = await runOnShippedModel(weights, request, (m) => {
      if (m.step > 5) times.push(m.msPerStep); // the first steps compile kernels
      if (m.step % 25 === 0) bar(m.step, `loss ${m.loss.toFixed(3)}`);
    });
    rows.push({
      task: task.id,
      method: method.id,
      config: { ...config },
      learningRate: request.learningRate,
      trainable: r.trainable,
      total: r.total,
      msPerStepMedian: Number(median(times).toFixed(2)),
      peakTensorBytes: f.peakBytes,
      baseExactMatch: r.baseline.accuracy,
      finalExactMatch: f.final.accuracy,
      finalLoss: Number(f.final.loss.toFixed(4)),
    });
  }
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log('');
console.log('| task | method | lr | trainable | ms/step (median) | peak tensor memory | base → fine-tuned exact match | final held-out loss |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.task} | ${r.method} | ${r.learningRate} | ${r.trainable.toLocaleString('en-US')} (${pct(r.trainable / r.total)}) | ${r.msPerStepMedian.toFixed(1)} | ${(r.peakTensorBytes / 1024 ** 2).toFixed(2)} MiB | ${pct(r.baseExactMatch)} → ${pct(r.finalExactMatch)} | ${r.finalLoss.toFixed(3)} |`,
  );
}
console.log(`tensors still allocated after all runs: ${tf.memory().numTensors}`);

const out = flags.get('out');
if (out) {
  const dataset = {
    about: 'Measured by scripts/benchmark-toy.ts: each method fine-tunes the shipped toy base model; exact match on 128 held-out examples.',
    measured: { date: new Date().toISOString().slice(0, 10), backend, runtime: `Node ${process.version}`, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, steps, batchSize },
    rows,
  };
  writeFileSync(out, `${JSON.stringify(dataset, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
