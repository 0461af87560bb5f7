/**
 * Pretrains the toy base model on the synthetic corpus and writes the weights every playground
 * starts from. Seeded and reproducible:
 *   npm run pretrain -- [--steps 3000] [--batch 32] [--lr 0.003] [--seed 0] [--out public/models/toy-base.bin]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fullFineTuning } from '@/lib/peft/methods/full-fine-tuning';
import { ToyModel } from '@/lib/peft/model/transformer';
import { TOY_DIMS } from '@/lib/peft/model/toy-arch';
import { TASKS, corpusBatch, corpusLine, exampleBatch } from '@/lib/peft/model/tasks';
import { createRng } from '@/lib/peft/model/random';
import { encodeWeights } from '@/lib/peft/model/weights';
import { Trainer, evaluate } from '@/lib/peft/train/trainer';
import { tokenAccuracy } from '@/lib/peft/train/loss';
import * as tf from '@tensorflow/tfjs';
import { numberFlag, parseFlags, progress } from './lib/cli';
import { useNodeBackend } from '@/lib/peft/train/node-backend';

const flags = parseFlags(process.argv.slice(2));
const steps = numberFlag(flags, 'steps', 3000);
const batchSize = numberFlag(flags, 'batch', 32);
const learningRate = numberFlag(flags, 'lr', 3e-3);
const seed = numberFlag(flags, 'seed', 0);
const out = flags.get('out') ?? 'public/models/toy-base.bin';

const backend = await useNodeBackend(flags.get('backend') === 'cpu' ? 'cpu' : 'wasm');
const model = ToyModel.init(TOY_DIMS, seed);
const applied = fullFineTuning.apply(model, {});
const trainer = new Trainer(model, applied, { steps, learningRate, weightDecay: 0.01 });
const rng = createRng(seed + 1);
const heldOut = createRng(seed + 2);
const evalLines = Array.from({ length: 256 }, () => corpusLine(heldOut));
const copyExamples = Array.from({ length: 256 }, () => {
  const line = corpusLine(heldOut);
  return line.includes('>') ? { prompt: `${line.split('>')[0]}>`, target: line.split('>')[1] ?? '' } : null;
}).filter((e) => e !== null);

console.log(`pretraining the toy model: ${model.parameterCount()} parameters, ${steps} steps × ${batchSize} lines, backend ${backend}`);
const bar = progress('pretrain', steps);
const started = performance.now();
let last = { loss: NaN };
for (let i = 0; i < steps; i++) {
  last = trainer.step(corpusBatch(Array.from({ length: batchSize }, () => corpusLine(rng)), TOY_DIMS.context));
  if ((i + 1) % 25 === 0 || i + 1 === steps) bar(i + 1, `loss ${last.loss.toFixed(3)}`);
}
const seconds = (performance.now() - started) / 1000;

const evalBatch = corpusBatch(evalLines, TOY_DIMS.context);
const logits = model.forward(tf.tensor2d(evalBatch.inputs, [evalBatch.size, evalBatch.length], 'int32'));
const held = evaluate(model, applied, evalBatch);
const tokenAcc = tokenAccuracy(logits, evalBatch);
logits.dispose();
const copy = evaluate(model, applied, exampleBatch(copyExamples, TOY_DIMS.context));
console.log(`done in ${seconds.toFixed(0)} s`);
console.log(`held-out corpus: loss ${held.loss.toFixed(3)}, next-token accuracy ${(tokenAcc * 100).toFixed(1)}%`);
console.log(`copy lines ("abc>abc."): exact match ${(copy.accuracy * 100).toFixed(1)}% of ${copyExamples.length}`);
for (const task of TASKS) {
  const r = createRng(seed + 3);
  const zeroShot = evaluate(model, applied, exampleBatch(Array.from({ length: 256 }, () => task.sample(r)), TOY_DIMS.context));
  console.log(`zero-shot ${task.id}: exact match ${(zeroShot.accuracy * 100).toFixed(1)}%, loss ${zeroShot.loss.toFixed(3)}`);
}

const bytes = encodeWeights(TOY_DIMS, model.snapshot(), {
  seed,
  steps,
  batchSize,
  learningRate,
  finalLoss: Number(last.loss.toFixed(4)),
  heldOutLoss: Number(held.loss.toFixed(4)),
  heldOutTokenAccuracy: Number(tokenAcc.toFixed(4)),
  copyExactMatch: Number(copy.accuracy.toFixed(4)),
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bytes);
console.log(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB)`);
