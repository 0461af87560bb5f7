/**
 * The transfer benchmark: for each method defined by transfer between tasks (a source phase in
 * `calibrate`), on target tasks where its sources have something to give, held-out exact match
 * and loss after N target steps with the source phase, and from scratch (the same method with
 * the override that removes its source phase), over several seeds. A benchmark, not a test.
 *   npx tsx scripts/benchmark-transfer.ts [--steps 100] [--seeds 3] [--batch 16] [--method <id>]
 *                                         [--task <id>] [--backend wasm|cpu] [--out content/data/toy-transfer.json]
 * The WASM backend runs on one core: on two, run one process per --method side by side.
 * A new transfer method is one line in CASES; a run limited to some cases (--method, --task) keeps
 * the file's other rows when they were measured with the same settings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { toyConfig } from '@/lib/peft/method-api/config';
import type { HyperValue } from '@/lib/peft/method-api/types';
import type { TaskId } from '@/lib/peft/model/tasks';
import { toyArchitecture } from '@/lib/peft/model/toy-arch';
import { decodeWeights } from '@/lib/peft/model/weights';
import { findPeftMethod } from '@/lib/peft/registry';
import { useNodeBackend } from '@/lib/peft/train/node-backend';
import type { EvalResult, RunRequest } from '@/lib/peft/train/protocol';
import { numberFlag, parseFlags } from './lib/cli';
import { runOnShippedModel } from './lib/toy-run';

/** One comparison: a method on a target task with `config` over its toy config, and `scratch`,
 * the override that makes it the same method without a source phase. */
interface TransferCase {
  method: string;
  task: TaskId;
  config: Record<string, HyperValue>;
  scratch: Record<string, HyperValue>;
}

// Words tasks (same inputs) transfer to one another; the letters tasks share the "word>" prompt.
const CASES: readonly TransferCase[] = [
  { method: 'spot', task: 'stray', config: { sources: 'group' }, scratch: { sourceSteps: 0 } },
  { method: 'spot', task: 'pair', config: { sources: 'group' }, scratch: { sourceSteps: 0 } },
  { method: 'spot', task: 'reverse', config: { sources: 'shift' }, scratch: { sourceSteps: 0 } },
  { method: 'ipt', task: 'stray', config: { sources: 'group' }, scratch: { sourceSteps: 0 } },
  { method: 'ipt', task: 'reverse', config: { sources: 'group' }, scratch: { sourceSteps: 0 } },
  { method: 'attention-fusion', task: 'topic', config: { source: 'stray' }, scratch: { sourceSteps: 0 } },
  { method: 'attention-fusion', task: 'stray', config: { source: 'topic' }, scratch: { sourceSteps: 0 } },
  { method: 'attention-fusion', task: 'pair', config: { source: 'topic' }, scratch: { sourceSteps: 0 } },
];

const flags = parseFlags(process.argv.slice(2));
const backend = await useNodeBackend(flags.get('backend') === 'cpu' ? 'cpu' : 'wasm');
const steps = numberFlag(flags, 'steps', 100);
const seedCount = numberFlag(flags, 'seeds', 3);
const batchSize = numberFlag(flags, 'batch', 16);
const cases = CASES.filter((c) => (!flags.has('method') || c.method === flags.get('method')) && (!flags.has('task') || c.task === flags.get('task')));
if (cases.length === 0) throw new Error('no case matches --method / --task');
const weights = readFileSync(flags.get('weights') ?? 'public/models/toy-base.bin');
// The architecture the toy configs resolve against, read from the header once (no model built).
const arch = toyArchitecture(decodeWeights(weights).header.dims);

/** Fine-tunes a fresh copy of the shipped model and returns its final held-out result. */
async function finalResult(method: string, task: TaskId, config: Record<string, HyperValue>, learningRate: number, seed: number): Promise<EvalResult> {
  const request: RunRequest = { method, config, task, steps, batchSize, learningRate, seed, evalEvery: steps };
  return (await runOnShippedModel(weights, request)).finished.final;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

interface Arm {
  exactMatch: number[];
  loss: number[];
  meanExactMatch: number;
  meanLoss: number;
}

const seeds = Array.from({ length: seedCount }, (_, i) => i);
interface ResultRow {
  method: string;
  task: TaskId;
  config: Record<string, HyperValue>;
  scratch: Record<string, HyperValue>;
  learningRate: number;
  transfer: Arm;
  fromScratch: Arm;
  gain: { exactMatch: number; loss: number };
  seconds: number;
}
const rows: ResultRow[] = [];
const started = performance.now();
console.log(`transfer benchmark: backend ${backend}, ${steps} target steps, batch ${batchSize}, seeds ${seeds.join(', ')}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
for (const c of cases) {
  const method = findPeftMethod(c.method);
  const base = toyConfig(method, arch);
  const config = { ...base, ...c.config };
  const scratchConfig = { ...config, ...c.scratch };
  const arms: Record<'transfer' | 'scratch', Arm> = { transfer: { exactMatch: [], loss: [], meanExactMatch: 0, meanLoss: 0 }, scratch: { exactMatch: [], loss: [], meanExactMatch: 0, meanLoss: 0 } };
  const caseStart = performance.now();
  for (const seed of seeds) {
    for (const [arm, cfg] of [['transfer', config], ['scratch', scratchConfig]] as const) {
      const r = await finalResult(c.method, c.task, cfg as Record<string, HyperValue>, method.toyLearningRate, seed);
      arms[arm].exactMatch.push(round(r.accuracy));
      arms[arm].loss.push(round(r.loss));
      console.log(`${c.method.padEnd(6)} ${c.task.padEnd(8)} seed ${seed} ${arm.padEnd(8)} exact match ${(r.accuracy * 100).toFixed(1)}%  loss ${r.loss.toFixed(3)}`);
    }
  }
  for (const arm of Object.values(arms)) {
    arm.meanExactMatch = round(mean(arm.exactMatch));
    arm.meanLoss = round(mean(arm.loss));
  }
  rows.push({
    method: c.method,
    task: c.task,
    config,
    scratch: c.scratch,
    learningRate: method.toyLearningRate,
    transfer: arms.transfer,
    fromScratch: arms.scratch,
    gain: { exactMatch: round(arms.transfer.meanExactMatch - arms.scratch.meanExactMatch), loss: round(arms.scratch.meanLoss - arms.transfer.meanLoss) },
    seconds: round((performance.now() - caseStart) / 1000, 1),
  });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log('');
console.log('| method | target | source settings | exact match: from scratch → with transfer | held-out loss: from scratch → with transfer |');
console.log('|---|---|---|---:|---:|');
for (const r of rows) {
  const settings = Object.entries(r.config)
    .filter(([k]) => ['sources', 'sourceSteps', 'autoencoderSteps'].includes(k))
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  console.log(`| ${r.method} | ${r.task} | ${settings} | ${pct(r.fromScratch.meanExactMatch)} → ${pct(r.transfer.meanExactMatch)} | ${r.fromScratch.meanLoss.toFixed(3)} → ${r.transfer.meanLoss.toFixed(3)} |`);
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);

const out = flags.get('out');
if (out) {
  // Rows of other methods or tasks already in the file stay (a run of one --method adds its rows),
  // provided they were measured with the same settings.
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { measured?: Record<string, unknown>; rows?: { method: string; task: string }[] }) : null;
  const kept = (previous?.rows ?? []).filter((r) => !rows.some((n) => n.method === r.method && n.task === r.task));
  if (kept.length > 0) {
    const m = previous?.measured ?? {};
    const same = m.backend === backend && m.targetSteps === steps && m.batchSize === batchSize && JSON.stringify(m.seeds) === JSON.stringify(seeds);
    if (!same) throw new Error(`${out} holds rows measured with other settings (${JSON.stringify(m)}): rerun them all, or write elsewhere`);
  }
  const dataset = {
    about:
      'Measured by scripts/benchmark-transfer.ts: each method fine-tunes the shipped toy base model on the target task with its source phase (transfer) and with the override that removes it (from scratch); exact match and loss on 128 held-out examples of the target task after the target steps, per seed and averaged.',
    measured: {
      date: new Date().toISOString().slice(0, 10),
      backend,
      runtime: `Node ${process.version}`,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      targetSteps: steps,
      batchSize,
      seeds,
    },
    rows: [...kept, ...rows].sort((a, b) => a.method.localeCompare(b.method)),
  };
  writeFileSync(out, `${JSON.stringify(dataset, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
