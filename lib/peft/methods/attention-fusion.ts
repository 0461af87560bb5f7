import type * as tfTypes from '@tensorflow/tfjs';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { ModelHooks } from '../model/hooks';
import { disposeAll, zerosVariable } from '../model/params';
import { type Task, type TaskId, TASKS, findTask } from '../model/tasks';

/**
 * Attention Fusion (Cao, Satya Prakash & Hamza, Findings of NAACL 2022): the pretrained encoder
 * stays frozen and runs forward only; a small trained attention module reads the output of every
 * layer and, for each token, combines them into one task-attuned representation, which a task
 * head reads. Each task keeps only its fusion module and head; the encoder's forward pass is
 * shared by all of them (late fusion).
 *
 * Only the paper's abstract could be read here (ACL Anthology page of 2022.findings-naacl.64); its
 * full text was not in the search corpora. From the abstract: an attention-based fusion module
 * computes task-attuned token representations by aggregating intermediate layer representations,
 * it is decoupled from the pretrained network (no gradient into it), it trains 0.0009% of the
 * parameters, and a module transfers to other languages. Everything finer is our simplest reading:
 *   sₗ = q·hₗ / √d  for each layer output hₗ of a token (l = 1 … L),
 *   α = softmax over l of s,   h̃ = Σₗ αₗ hₗ,
 * with one trained query vector q ∈ ℝᵈ per task (q = 0 at the start: the plain mean of the
 * layers), and a linear head W h̃ + b over the task's classes. Counted from this reading (no
 * reference implementation exists): d + d·classes + classes. We could not reproduce the
 * abstract's 0.0009% without the paper's base model and module details.
 *
 * On the toy:
 * - the fused state replaces the final hidden state, passes the frozen final norm and feeds the
 *   class head at the answer position (the engine's class-head path);
 * - the paper's cross-lingual re-use becomes transfer between toy tasks over the same words:
 *   with `source` set, q is first trained on that task (with a head of its own, then dropped)
 *   and the run starts from that q and a fresh head.
 */

/** Learning rate of the source phase (the method's toy rate). */
const TOY_LEARNING_RATE = 3e-2;

/** Classification tasks a fusion module may be trained on first: those over the toy's words. */
const SOURCE_TASKS = TASKS.filter((t) => t.classes && t.group === 'words');

export const attentionFusion = defineMethod({
  id: 'attention-fusion',
  name: 'Attention Fusion',
  hyperparams: [
    {
      key: 'classes',
      label: 'Classes of the task head',
      help: 'Outputs of the linear task head on the fused representation.',
      toyFromTask: 'classes',
      kind: 'int',
      min: 2,
      max: 1000,
      default: 4,
    },
    {
      key: 'source',
      label: 'Source task',
      help: 'Train the fusion module on this task first (with a head of its own, then dropped) and start the run from it; “none” trains from scratch. A source equal to the run’s task is ignored.',
      kind: 'choice',
      options: [{ value: 'none', label: 'None (from scratch)' }, ...SOURCE_TASKS.map((t) => ({ value: t.id, label: t.name }))],
      default: 'none',
      toyOnly: true,
    },
    {
      key: 'sourceSteps',
      label: 'Source steps',
      help: 'Optimizer steps on the source task before the run (0: none, as without a source).',
      kind: 'int',
      min: 0,
      max: 2000,
      default: 150,
      toyOnly: true,
    },
  ],
  toyLearningRate: TOY_LEARNING_RATE,
  toyTasks: 'classification',
  traits: { backpropThroughBackbone: false, inference: 'extra-modules' },
  lineage: [],
  anatomy: (arch): Attachment[] => [
    { part: 'final', kind: 'added', note: `per-token attention over the ${arch.stacks[arch.stacks.length - 1]?.layers ?? 0} layer outputs` },
    { part: 'head', kind: 'added', note: 'linear task head on the fused state' },
  ],
  profile(arch, { classes }) {
    const d = arch.hiddenSize;
    const last = arch.stacks[arch.stacks.length - 1];
    return {
      tensors: [
        { shape: [d], count: 1 },
        { shape: [d, classes], count: 1 },
        { shape: [classes], count: 1 },
      ],
      addedMatmul: d * classes,
      // No backward pass through the backbone: the fusion's gradient needs every layer's output
      // (d values) and its attention weight, per layer and token, of the fused stack.
      extraActivationValues: (stack) => (stack === last ? d + 1 : 0),
    };
  },
  apply(model, { classes, source, sourceSteps }, { task = TASKS[0] as Task } = {}) {
    const tf = model.tf;
    const d = model.dims.hiddenSize;
    const taskClasses = task.classes?.length ?? 0;
    if (taskClasses > classes) throw new Error(`Attention Fusion: the head has ${classes} classes and “${task.name}” needs ${taskClasses}; raise “Classes of the task head”.`);
    const query = zerosVariable(tf, [d]);
    const head = { w: zerosVariable(tf, [d, classes]), b: zerosVariable(tf, [classes]) };
    const layers = model.dims.layers;
    // The block outputs of one forward pass, read by the fusion at its end (tensors of that pass's tidy).
    let outputs: tfTypes.Tensor2D[] = [];

    const hooks: ModelHooks = {
      blockOutput(layer, h) {
        if (layer === 0) outputs = [];
        outputs.push(h);
        return h;
      },
      finalHidden() {
        if (outputs.length !== layers) throw new Error('Attention Fusion: not every layer output was seen');
        const scale = 1 / Math.sqrt(d);
        const q = tf.reshape(query, [d, 1]) as tfTypes.Tensor2D;
        // [rows, L] scores, one per layer, then a softmax over the layers of each token.
        const scores = tf.concat(outputs.map((h) => tf.mul(tf.matMul(h, q), scale)), 1);
        const weights = tf.softmax(scores);
        let fused: tfTypes.Tensor2D | null = null;
        outputs.forEach((h, l) => {
          const part = tf.mul(h, tf.slice(weights, [0, l], [-1, 1])) as tfTypes.Tensor2D;
          fused = fused ? (tf.add(fused, part) as tfTypes.Tensor2D) : part;
        });
        outputs = [];
        return fused as unknown as tfTypes.Tensor2D;
      },
    };
    // In a tidy of its own, so a caller outside one (a test) leaks nothing.
    const classifierFor = (w: tfTypes.Tensor, b: tfTypes.Tensor, count: number) => (features: tfTypes.Tensor2D) =>
      tf.tidy(() => {
        const scores = tf.add(tf.matMul(features, w as tfTypes.Tensor2D), b) as tfTypes.Tensor2D;
        return count < classes ? (tf.slice(scores, [0, 0], [-1, count]) as tfTypes.Tensor2D) : scores;
      });
    const all = [query, head.w, head.b];

    return {
      trainable: all,
      hooks,
      classifier: classifierFor(head.w, head.b, taskClasses || classes),
      calibrate(ctx) {
        if (source === 'none' || source === ctx.task.id || sourceSteps === 0) return;
        const from = findTask(source as TaskId);
        const sourceClasses = from.classes?.length ?? 0;
        // The source phase trains the same query with a head of its own, which is then dropped:
        // only the fusion module moves to the target task (topic and odd one out share class
        // names, but not their meaning, so a carried head would start from wrong answers).
        const sourceHead = { w: zerosVariable(tf, [d, classes]), b: zerosVariable(tf, [classes]) };
        try {
          ctx.fit({ task: from.id, trainable: [query, sourceHead.w, sourceHead.b], hooks, classifier: classifierFor(sourceHead.w, sourceHead.b, sourceClasses), steps: sourceSteps, learningRate: TOY_LEARNING_RATE });
        } finally {
          disposeAll([sourceHead.w, sourceHead.b]);
        }
      },
      dispose: () => disposeAll(all),
    };
  },
});
