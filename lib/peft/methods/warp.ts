import type * as tfTypes from '@tensorflow/tfjs';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { embeddingWidth, type TensorGroup } from '../method-api/profile';
import { disposeAll, zerosVariable } from '../model/params';
import { createRng, normals } from '../model/random';
import { TASKS, type Task } from '../model/tasks';
import { encode } from '../model/tokenizer';

/**
 * The toy task whose classes a run without a task uses (tests): the first classification task
 * with `classes` classes (4 → topic, 2 → pair). A run always passes its task, whose classes size
 * the head whatever `classes` says: on the toy the task decides.
 */
function taskWithClasses(classes: number): Task {
  const task = TASKS.find((t) => t.classes?.length === classes);
  if (!task) throw new RangeError(`no toy classification task has ${classes} classes (they have ${[...new Set(TASKS.flatMap((t) => (t.classes ? [t.classes.length] : [])))].join(' or ')})`);
  return task;
}

/** The toy token a class's answer starts with: its verbalizer. */
export function verbalizerToken(className: string): number {
  const [first] = encode(className.slice(0, 1));
  if (first === undefined) throw new RangeError('a class name must not be empty');
  return first;
}

/**
 * WARP (Hambardzumyan, Khachatrian & May, 2021): trained prompt embeddings placed around the
 * input of a frozen masked language model, and one trained class embedding per label that
 * replaces the MLM head's vocabulary matrix: class scores are the masked position's output,
 * after the MLM head's frozen transform, times each class embedding, plus a bias. Only the
 * prompts and the class layer are trained.
 *
 * Counting follows the authors' code (YerevaNN/WARP): `ArpInjector` holds one vector per prompt
 * token as wide as the word embeddings (the [MASK] token itself is not trained), and
 * `ArpClassifier` a Linear(embedding width, classes) with a bias (`classifier_bias: true` in
 * configs/warp.jsonnet): P·E + C·E + C. The class layer reads the MLM head's output before its
 * decoder, which is as wide as the word embeddings (ALBERT's 128, RoBERTa's hidden size).
 *
 * On the toy (a causal LM without [MASK]): the prompts go before the input only, since no hook
 * inserts vectors inside or after a sequence; the "masked position" is where the answer starts
 * (its final hidden state is what the tied LM head reads to predict the answer's first token).
 * Class embeddings start as copies of the token embedding of each class's first character and
 * the bias at 0, so at initialisation the classes are scored exactly as the LM head scores those
 * tokens (the paper's WARP_init starts them from verbalizer tokens' embeddings; its GLUE runs
 * start them at random). Prompts start as draws from a normal with the token table's mean and
 * standard deviation, the authors' config default (`prompt_better_init: true`).
 */
export const warp = defineMethod({
  id: 'warp',
  name: 'WARP',
  hyperparams: [
    { key: 'prompts', label: 'Prompt tokens', help: 'Trained embeddings placed around the input (0 gives the paper’s WARP₀: class embeddings only).', kind: 'int', min: 0, max: 512, default: 20 },
    {
      key: 'classes',
      label: 'Classes C',
      help: 'Labels of the task: one trained class embedding and bias each.',
      toyFromTask: 'classes',
      kind: 'int',
      min: 1,
      max: 1000,
      default: 2,
    },
  ],
  toyLearningRate: 1e-2,
  toyConfig: { prompts: 4, classes: 4 },
  toyTasks: 'classification',
  toyTask: 'topic',
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedTokens: (c) => c.prompts },
  lineage: [],
  anatomy: (_arch, { prompts, classes }): Attachment[] => [
    ...(prompts > 0 ? [{ part: 'input' as const, kind: 'added' as const, note: `${prompts} trained prompt vectors` }] : []),
    { part: 'head', kind: 'added', note: `${classes} class embeddings and biases` },
  ],
  profile(arch, { prompts, classes }) {
    const e = embeddingWidth(arch);
    const tensors: TensorGroup[] = [
      ...(prompts > 0 ? [{ shape: [prompts, e], count: 1 }] : []),
      { shape: [classes, e], count: 1 },
      { shape: [classes], count: 1 },
    ];
    // The class layer runs once per sequence, on one position, in place of the LM head's
    // vocabulary matrix: nothing added per token. The prompts lengthen the input (addedTokens).
    return { tensors, addedMatmul: 0 };
  },
  apply(model, { prompts, classes }, { seed = 0, task } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const runTask = task ?? taskWithClasses(classes);
    const names = runTask.classes;
    if (!names) throw new RangeError(`WARP trains class embeddings, and "${runTask.name}" has no classes`);
    const wte = model.weight('wte');
    const all: tfTypes.Variable[] = [];

    let prompt: tfTypes.Variable | null = null;
    if (prompts > 0) {
      const table = wte.dataSync() as Float32Array;
      const mean = table.reduce((s, v) => s + v, 0) / table.length;
      const std = Math.sqrt(table.reduce((s, v) => s + (v - mean) ** 2, 0) / table.length);
      const values = normals(rng, prompts * model.dims.hiddenSize, std).map((v) => v + mean);
      prompt = tf.tidy(() => tf.variable(tf.tensor2d(values, [prompts, model.dims.hiddenSize]), true));
      all.push(prompt);
    }
    // Rows of the (tied) LM head for each class's first token: a copy, not a view.
    const embeddings = tf.tidy(() => tf.variable(tf.gather(wte, names.map(verbalizerToken)) as tfTypes.Tensor2D, true));
    const bias = zerosVariable(tf, [names.length]);
    all.push(embeddings, bias);

    return {
      trainable: all,
      hooks: prompt ? { inputPrefix: () => prompt as tfTypes.Tensor2D } : {},
      classifier: (features) => tf.tidy(() => tf.add(tf.matMul(features, embeddings, false, true), bias) as tfTypes.Tensor2D),
      dispose: () => disposeAll(all),
    };
  },
});
