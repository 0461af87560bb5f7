/**
 * The toy benchmark (content/data/toy-benchmark.json + .csv): every implemented method fine-tunes
 * the shipped toy base model on every toy task it can train on, over several seeds; per seed the
 * final held-out exact match and loss, the first evaluated step reaching the task's target and the
 * seconds to it, ms/step and peak tensor bytes. A measurement, not a test: times depend on the machine.
 *
 *   npm run bench:toy -- [--task <id>[,<id>]|all] [--method <id>[,<id>]|all] [--seeds 0,1,2]
 *                        [--steps 300] [--batch 16] [--eval-every 25] [--backend wasm|cpu]
 *                        [--out content/data/toy-benchmark.json] [--resume]
 *
 * The file (and the CSV beside it) is rewritten, validated, after every finished seed, so a killed
 * run loses at most the run in progress; --resume keeps the file's rows and skips every (task,
 * method, seed) it already has under the same protocol. Without --resume the file starts over.
 * Runs go task by task (TASKS order), methods in registry order, so a partial run covers every
 * method on the first tasks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { METHODS } from '@/lib/peft/registry';
import { toyConfig } from '@/lib/peft/method-api/config';
import { TASKS, taskProblem } from '@/lib/peft/model/tasks';
import { toyArchitecture } from '@/lib/peft/model/toy-arch';
import { decodeWeights } from '@/lib/peft/model/weights';
import type { RunRequest } from '@/lib/peft/train/protocol';
import { heldOutExamples } from '@/lib/peft/train/session';
import { useNodeBackend } from '@/lib/peft/train/node-backend';
import { parseContent } from '@/lib/content/validate';
import { toyBenchmarkSchema, type ToyBenchmark, type ToyRow } from '@/lib/datasets/toy-benchmark';
import { summarise } from '@/lib/datasets/summary';
import { toyBenchmarkCsv } from '@/lib/datasets/csv-writers';
import { UsageError, fail, numberFlag, parseFlags, progress } from './lib/cli';
import { measureToyRun } from './lib/toy-run';

try {
  await main();
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`bench:toy: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

/** A list flag: `all` (or absent) for every id, else comma-separated ids that must exist. */
function pick<T extends { id: string }>(items: readonly T[], raw: string | undefined, name: string): T[] {
  if (raw === undefined || raw === 'all') return [...items];
  const ids = raw.split(',').map((s) => s.trim());
  for (const id of ids) if (!items.some((i) => i.id === id)) fail(`unknown --${name} "${id}"`);
  return items.filter((i) => ids.includes(i.id));
}

function seedsFlag(raw: string | undefined): number[] {
  if (raw === undefined) return [0, 1, 2];
  const seeds = raw.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) fail(`--seeds must be non-negative integers separated by commas, got "${raw}"`);
  return [...new Set(seeds)].sort((a, b) => a - b);
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Write via a temporary file and a rename, so a reader (or a killed run) never sees half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), new Set(['resume']));
  const backendFlag = flags.get('backend') ?? 'wasm';
  if (backendFlag !== 'wasm' && backendFlag !== 'cpu') fail(`--backend must be wasm or cpu, got "${backendFlag}"`);
  const steps = numberFlag(flags, 'steps', 300);
  const batchSize = numberFlag(flags, 'batch', 16);
  const evalEvery = numberFlag(flags, 'eval-every', 25);
  for (const [name, v] of [['steps', steps], ['batch', batchSize], ['eval-every', evalEvery]] as const) {
    if (!Number.isInteger(v) || v < 1) fail(`--${name} must be a positive integer, got ${v}`);
  }
  const tasks = pick(TASKS, flags.get('task'), 'task');
  const methods = pick(METHODS, flags.get('method'), 'method');
  const seeds = seedsFlag(flags.get('seeds'));
  const out = flags.get('out') ?? 'content/data/toy-benchmark.json';
  if (!out.endsWith('.json')) fail(`--out must name a .json file (the CSV goes beside it), got "${out}"`);
  const csvOut = out.replace(/\.json$/, '.csv');
  const resume = flags.get('resume') === 'true';
  const known = new Set(['backend', 'steps', 'batch', 'eval-every', 'task', 'method', 'seeds', 'out', 'resume', 'weights']);
  for (const name of flags.keys()) if (!known.has(name)) fail(`unknown flag --${name}`);

  const backend = (await useNodeBackend(backendFlag)) as ToyBenchmark['machine']['backend'];
  const weightsPath = flags.get('weights') ?? 'public/models/toy-base.bin';
  const weights = readFileSync(weightsPath);
  const arch = toyArchitecture(decodeWeights(weights).header.dims);
  const commit = gitCommit();
  const machine: ToyBenchmark['machine'] = {
    date: new Date().toISOString().slice(0, 10),
    runtime: `Node ${process.version}, TensorFlow.js ${tf.version.tfjs}`,
    backend,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
  };

  // Rows by "task/method"; with --resume, the file's rows under the same protocol.
  const rows = new Map<string, ToyRow>();
  let fileSeeds: number[] = [];
  if (resume && existsSync(out)) {
    const old = parseContent(toyBenchmarkSchema, JSON.parse(readFileSync(out, 'utf8')), out);
    const p = old.protocol;
    const differs = [
      p.steps !== steps && `steps ${p.steps} (asked ${steps})`,
      p.batchSize !== batchSize && `batch ${p.batchSize} (asked ${batchSize})`,
      p.evalEvery !== evalEvery && `eval every ${p.evalEvery} (asked ${evalEvery})`,
      old.machine.backend !== backend && `backend ${old.machine.backend} (asked ${backend})`,
    ].filter(Boolean);
    if (differs.length > 0) fail(`${out} was measured under another protocol: ${differs.join(', ')}; rerun without --resume to start over`);
    if (old.machine.cpu !== machine.cpu || old.machine.cores !== machine.cores) {
      console.warn(`warning: ${out} was measured on ${old.machine.cores} × ${old.machine.cpu}; its times and these will be mixed`);
    }
    for (const row of old.rows) rows.set(`${row.task}/${row.method}`, row);
    fileSeeds = old.protocol.seeds;
    console.log(`resuming ${out}: ${old.rows.length} rows, ${old.rows.reduce((n, r) => n + r.runs.length, 0)} runs kept`);
  } else if (resume) console.log(`${out} does not exist yet: starting it`);

  // The plan: every (task, method, seed) still to run, task-major.
  const plan: { request: RunRequest; target: number; key: string }[] = [];
  for (const task of tasks) {
    for (const method of methods) {
      if (taskProblem(method, task)) continue;
      const config = { ...toyConfig(method, arch) };
      const key = `${task.id}/${method.id}`;
      const existing = rows.get(key);
      if (existing && (existing.learningRate !== method.toyLearningRate || JSON.stringify(existing.config) !== JSON.stringify(config))) {
        console.warn(`warning: ${key} in ${out} used another configuration or learning rate; its runs are measured again`);
        rows.delete(key);
      }
      const have = new Set(rows.get(key)?.runs.map((r) => r.seed));
      for (const seed of seeds) {
        if (have.has(seed)) continue;
        plan.push({ key, target: task.target, request: { method: method.id, config, task: task.id, steps, batchSize, learningRate: method.toyLearningRate, seed, evalEvery } });
      }
    }
  }

  const heldOut = heldOutExamples('topic', 0).length;
  const write = () => {
    const allSeeds = new Set([...fileSeeds, ...seeds]);
    for (const row of rows.values()) for (const run of row.runs) allSeeds.add(run.seed);
    const taskOrder = (id: string) => TASKS.findIndex((t) => t.id === id);
    const methodOrder = (id: string) => METHODS.findIndex((m) => m.id === id);
    const sorted = [...rows.values()].sort((a, b) => taskOrder(a.task) - taskOrder(b.task) || methodOrder(a.method) - methodOrder(b.method));
    const dataset: ToyBenchmark = {
      about: `Measured by scripts/benchmark-toy.ts (npm run bench:toy): each implemented method fine-tunes the shipped toy base model (${weightsPath}) on each toy task it can train on, at its toy configuration and learning rate, once per seed; exact match on the task's ${heldOut} held-out examples, evaluated every ${evalEvery} steps and after the last. Times are of this machine and backend.`,
      machine,
      protocol: { steps, batchSize, seeds: [...allSeeds].sort((a, b) => a - b), evalEvery, heldOut, targets: Object.fromEntries(TASKS.map((t) => [t.id, t.target])) as ToyBenchmark['protocol']['targets'] },
      rows: sorted,
    };
    const valid = parseContent(toyBenchmarkSchema, dataset, out);
    writeAtomic(out, `${JSON.stringify(valid, null, 2)}\n`);
    writeAtomic(csvOut, toyBenchmarkCsv(valid));
  };

  const totalSteps = plan.length * steps;
  console.log(
    `toy benchmark: ${plan.length} runs (${tasks.length} tasks × ${methods.length} methods × seeds ${seeds.join(',')}, less those skipped), ` +
      `${steps} steps, batch ${batchSize}, eval every ${evalEvery}; backend ${backend}, ${machine.cores} × ${machine.cpu}` +
      (commit ? `, commit ${commit}` : ''),
  );
  const load = os.loadavg()[0] ?? 0;
  if (load > machine.cores) console.warn(`warning: load average ${load.toFixed(1)} on ${machine.cores} cores: other processes share the CPU, so times will be slower than this machine can do (each run records its load average)`);
  if (plan.length === 0) {
    console.log('nothing to run: every asked run is already in the file');
    return;
  }
  const bar = progress('toy benchmark', totalSteps);
  const startedAll = performance.now();
  const failures: string[] = [];
  const say = (line: string) => {
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
    console.log(line);
  };
  for (const [i, { key, target, request }] of plan.entries()) {
    const label = `${key} seed ${request.seed}`;
    try {
      const { ready, run } = await measureToyRun(weights, request, target, (m) => {
        if (m.step % 5 !== 0 && m.step !== steps) return;
        const done = i * steps + m.step;
        const elapsed = (performance.now() - startedAll) / 1000;
        bar(done, `${label} step ${m.step} loss ${m.loss.toFixed(3)} · ETA ${duration((elapsed / done) * (totalSteps - done))}`);
      });
      const previous = rows.get(key);
      const runs = [...(previous?.runs ?? []), run].sort((a, b) => a.seed - b.seed);
      rows.set(key, {
        method: request.method,
        task: request.task,
        config: { ...request.config } as ToyRow['config'],
        learningRate: request.learningRate,
        trainable: ready.trainable,
        total: ready.total,
        baseMetric: ready.baseline.accuracy,
        runs,
        summary: summarise(runs),
        provenance: {
          source: `scripts/benchmark-toy.ts${commit ? ` at commit ${commit}` : ''}`,
          detail: `npm run bench:toy -- --task ${request.task} --method ${request.method} --seeds ${runs.map((r) => r.seed).join(',')} --steps ${steps} --batch ${batchSize} --eval-every ${evalEvery} --backend ${backend}`,
        },
      });
      write();
      const reached = run.stepsToTarget === null ? `target ${target} not reached` : `target ${target} at step ${run.stepsToTarget} (${run.secondsToTarget} s)`;
      const doneSteps = (i + 1) * steps;
      const eta = duration((((performance.now() - startedAll) / 1000) / doneSteps) * (totalSteps - doneSteps));
      say(`[${i + 1}/${plan.length}, ETA ${eta}] ${label}: exact match ${run.finalMetric.toFixed(3)}, ${reached}, ${run.msPerStepMedian.toFixed(1)} ms/step, ${run.seconds.toFixed(1)} s, load ${run.loadAverage}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(`${label}: ${message}`);
      say(`${label} FAILED (not written; --resume runs it again): ${message}`);
    }
  }
  console.log(`done in ${duration((performance.now() - startedAll) / 1000)}; wrote ${out} and ${csvOut} (${rows.size} rows)`);
  console.log(`tensors still allocated after all runs: ${tf.memory().numTensors}`);
  if (failures.length > 0) {
    console.error(`${failures.length} runs failed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}
