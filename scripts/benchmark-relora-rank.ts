/**
 * How the rank of ReLoRA's merged update grows: trains ReLoRA with its toy settings on the shipped
 * toy base model, as the playground does (same seeded training batches, 128 held-out examples), and
 * at every restart (just after the merge) measures the singular values of W − W₀ for two of the
 * targeted maps, W₀ being the shipped weights. Writes content/data/relora-rank.json, which the
 * ReLoRA page draws. A measurement, not a test.
 *   npx tsx scripts/benchmark-relora-rank.ts [--task topic] [--steps 300] [--seed 0] [--backend wasm|cpu]
 *        [--out content/data/relora-rank.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { toyConfig } from '@/lib/peft/method-api/config';
import { type ReloraConfig, relora, updateSpectrum } from '@/lib/peft/methods/relora';
import { createRng } from '@/lib/peft/model/random';
import { exampleBatch, findTask, taskBatch } from '@/lib/peft/model/tasks';
import { ToyModel } from '@/lib/peft/model/transformer';
import { decodeWeights } from '@/lib/peft/model/weights';
import { useNodeBackend } from '@/lib/peft/train/node-backend';
import { heldOutExamples } from '@/lib/peft/train/session';
import { Trainer, evaluate } from '@/lib/peft/train/trainer';
import { numberFlag, parseFlags } from './lib/cli';

const flags = parseFlags(process.argv.slice(2));
const backend = await useNodeBackend(flags.get('backend') === 'cpu' ? 'cpu' : 'wasm');
const steps = numberFlag(flags, 'steps', 300);
const seed = numberFlag(flags, 'seed', 0);
const batchSize = 16;
const task = findTask(flags.get('task') ?? relora.toyTask ?? 'topic');
const out = flags.get('out') ?? 'content/data/relora-rank.json';

const { header, values } = decodeWeights(readFileSync(flags.get('weights') ?? 'public/models/toy-base.bin'));
const model = ToyModel.fromValues(header.dims, values);
const config = toyConfig<ReloraConfig>(relora, model.arch);
const { hiddenSize, ffnSize } = header.dims;
/** An attention map and an MLP map, in different layers: [name, rows (in), cols (out)]. */
const MATRICES: readonly { weight: string; label: string; rows: number; cols: number }[] = [
  { weight: 'h.0.q_proj.weight', label: 'layer 0 q_proj', rows: hiddenSize, cols: hiddenSize },
  { weight: `h.${header.dims.layers - 1}.fc1.weight`, label: `layer ${header.dims.layers - 1} fc1`, rows: hiddenSize, cols: ffnSize },
];
const start = new Map(MATRICES.map((m) => [m.weight, Float32Array.from(model.weight(m.weight).dataSync())]));

/** Singular values to 4 significant digits: enough to draw and read, small enough to ship. */
const round = (v: number) => Number(v.toPrecision(4));

function measure(step: number, merges: number, note: 'restart' | 'end, merged') {
  return {
    step,
    merges,
    note,
    matrices: MATRICES.map((m) => {
      const { singularValues, rank } = updateSpectrum(model.weight(m.weight).dataSync(), start.get(m.weight)!, m.rows, m.cols);
      const energy = singularValues.reduce((s, v) => s + v * v, 0);
      // The fewest directions that hold 90% of ‖W − W₀‖²_F: how much of the rank carries weight.
      let held = 0;
      const rank90 = singularValues.findIndex((v) => (held += v * v) >= 0.9 * energy) + 1;
      return { weight: m.weight, rank, rank90, singularValues: singularValues.map(round) };
    }),
  };
}

const heldOut = exampleBatch(heldOutExamples(task.id, seed), model.dims.context, task.classes);
const baseline = evaluate(model, { hooks: {} }, heldOut);
const applied = relora.apply(model, config, { seed, task });
const trainer = new Trainer(model, applied, { steps, learningRate: relora.toyLearningRate, task, seed });
const rng = createRng(seed);
const points: ReturnType<typeof measure>[] = [];
const started = performance.now();
console.log(`ReLoRA on ${task.id}: ${steps} steps, r = ${config.r}, restart every ${config.resetEvery} steps, backend ${backend}`);
while (trainer.stepsDone < steps) {
  const { step } = trainer.step(taskBatch(task, rng, batchSize, model.dims.context));
  if (step % config.resetEvery === 0 && step < steps) {
    points.push(measure(step, step / config.resetEvery, 'restart'));
    console.log(`  step ${step}: rank ${points.at(-1)!.matrices.map((m) => `${m.rank} (90%: ${m.rank90})`).join(', ')}`);
  }
}
const final = evaluate(model, applied, heldOut);
// The last cycle's update is still in A and B: merge it to measure the whole trained change.
applied.merge!();
points.push(measure(steps, points.length + 1, 'end, merged'));
applied.unmerge!();
console.log(`  end (merged): rank ${points.at(-1)!.matrices.map((m) => `${m.rank} (90%: ${m.rank90})`).join(', ')}`);
trainer.dispose();
applied.dispose();
model.dispose();

const dataset = {
  about:
    'Measured by scripts/benchmark-relora-rank.ts: ReLoRA with its toy settings on the shipped toy base model (the playground’s run: same seeded batches, 128 held-out examples). At each restart, just after the merge, and at the end with the last update merged: the singular values of W − W₀ for two targeted maps (W₀ = the shipped weights), the numerical rank (singular values above σ_max · max(rows, cols) · 2⁻²³, NumPy’s matrix_rank rule for float32) and the fewest directions holding 90% of ‖W − W₀‖²_F.',
  measured: {
    date: new Date().toISOString().slice(0, 10),
    backend,
    runtime: `Node ${process.version}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    seconds: Math.round((performance.now() - started) / 1000),
  },
  settings: {
    task: task.id,
    steps,
    batchSize,
    learningRate: relora.toyLearningRate,
    seed,
    r: config.r,
    alpha: config.alpha,
    targets: [...config.targets],
    resetEvery: config.resetEvery,
    restartWarmup: config.restartWarmup,
    optimizerPruning: config.optimizerPruning,
  },
  matrices: MATRICES.map(({ weight, label, rows, cols }) => ({ weight, label, rows, cols })),
  exactMatch: { base: baseline.accuracy, tuned: final.accuracy },
  points,
};
writeFileSync(out, `${JSON.stringify(dataset, null, 1)}\n`);
console.log(`exact match ${(100 * baseline.accuracy).toFixed(1)}% → ${(100 * final.accuracy).toFixed(1)}%; wrote ${out}`);
