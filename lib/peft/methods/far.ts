import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture, LinearMap, LinearRole } from '../arch';
import { type Attachment, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { weightBackup } from '../method-api/delta-weight';
import type { TensorGroup } from '../method-api/profile';
import { type ToySite, siteKey, toyTargetSites } from '../method-api/toy-sites';
import type { AppliedMethod } from '../method-api/types';
import type { ToyModel } from '../model/transformer';
import { topK } from './fish-mask';

/**
 * FAR, Freeze And Reconfigure (Vucetic, Tayaranian, Ziaeefard, Clark, Meyer & Gross, ISCAS 2022,
 * "Efficient Fine-Tuning of BERT Models on the Edge", arXiv 2205.01541). No reference code is
 * published that we could find; what we follow, and from where:
 * - the survey's §9.3 (Lialin et al., arXiv 2303.15647 v1): first pick the rows of the parameter
 *   matrices to update, "top-r rows based on the L1 distance between the fine-tuned and original
 *   models" after fine-tuning on part of the data; then split each W ∈ R^{in×h} into a trained
 *   W_t ∈ R^{in×h'} and a frozen W_f ∈ R^{in×(h−h')}, compute both products and concatenate them,
 *   biases likewise; reconfigure back after training, so inference costs nothing extra. Applied to
 *   the feed-forward layers only.
 * - the paper's own description as summarised in public reading notes (the paper's text itself
 *   could not be read here): a node is an output unit of an FFN linear layer; a short "priming"
 *   run of a small share of the fine-tuning iterations is compared with a copy of the pretrained
 *   weights, each node scored by the L1 norm of its weight change; a "retention percentage" of
 *   nodes (learners) keeps training, the rest are frozen; the learner and frozen nodes become
 *   separate sublayers whose outputs are permuted back into order.
 *
 * Our choices where those sources are silent, each the simplest reading:
 * - every linear map of the FFN (up, gate and down projections, the experts' too; not a router)
 *   is split on its own output units, keeping ⌊retention · out⌋ of them (at least one); a unit's
 *   weight vector is its row in PyTorch's out × in layout (a column of the toy's in × out W) and
 *   its bias entry trains with it. Everything outside the FFN stays frozen.
 * - the score of a unit is the L1 norm of its weights' change (the bias left out).
 * - on the toy the priming is `calibrate`: full fine-tuning of every weight for `primingSteps`
 *   AdamW steps on fresh batches of the run's task, then the scores, then every weight goes back
 *   to its pretrained value, so the run starts from the pretrained model with exactly the profile's
 *   trainable count. In the paper the priming is an initial set of the fine-tuning iterations
 *   themselves (the notes' account); whether the frozen units keep what they learned there is not said.
 * - the split on the toy: the model's own W and b are read through a mask that zeroes the learner
 *   units (the frozen sublayer W_f), and the learner units live in new variables W_t (in × k) and
 *   b_t (k) whose output is placed back into the units' positions by a constant 0/1 matrix (the
 *   permutation). `merge` reconfigures back: it writes W_t and b_t into the model's W and b.
 */

/** The roles of an FFN's linear maps (the router of a mixture of experts is not one). */
const FFN_ROLES: readonly LinearRole[] = ['mlp.in', 'mlp.gate', 'mlp.out'];

const isFfn = (l: LinearMap) => FFN_ROLES.includes(l.role);

/** Learner units of a map with `out` output units at a retention of `percent`. */
export function learnerUnits(out: number, percent: number): number {
  return Math.min(out, Math.max(1, Math.floor((out * percent) / 100)));
}

/** Priming on the toy: full fine-tuning at full fine-tuning's toy rate, on batches of 8. */
export const PRIMING_LEARNING_RATE = 1e-3;
const PRIMING_BATCH = 8;

export interface FarConfig {
  retention: number;
  primingSteps: number;
}

export function farProfile(arch: Architecture, { retention }: FarConfig) {
  const tensors: TensorGroup[] = [];
  const positions: TensorGroup[] = [];
  let matmul = 0;
  for (const s of arch.stacks) {
    for (const l of s.linears.filter(isFfn)) {
      const k = learnerUnits(l.outFeatures, retention);
      tensors.push({ shape: [l.inFeatures, k], count: s.layers });
      if (l.bias) tensors.push({ shape: [k], count: s.layers });
      positions.push({ shape: [k], count: s.layers });
      matmul += s.layers * l.inFeatures * k;
    }
  }
  const trained = tensors.reduce((n, g) => n + g.count * g.shape.reduce((p, d) => p * d, 1), 0);
  return {
    // The reconfigured layer's trained sublayers: all the optimizer holds.
    tensors,
    trainableInBase: trained,
    baseMatmulTrainable: matmul,
    // The checkpoint: the learner units' weights and biases, and which units they are.
    saved: [...tensors, ...positions],
  };
}

/**
 * The FFN's parts are `trained` (FAR trains the model's own units, picked from data; on the toy
 * their values live in the split-out W_t and b_t, so the trace finds no trainable model weight there,
 * which `chosenFromData` allows) and `changed` (the split's hooks read W and b masked and add the
 * trained sublayer's output).
 */
function farAnatomy(arch: Architecture, { retention }: FarConfig): Attachment[] {
  const paths = [...new Set(arch.stacks.flatMap((s) => s.linears.filter(isFfn).map((l) => l.path)))];
  return targetParts(arch, paths).flatMap((part): Attachment[] => [
    { part, kind: 'trained', note: `the ${retention}% of units that moved most in priming`, chosenFromData: true },
    { part, kind: 'changed', note: 'split into trained and frozen sublayers' },
  ]);
}

/** One FFN map of the toy after the split. */
interface Split {
  site: ToySite;
  biasName: string;
  /** Learner units, ascending. */
  units: number[];
  wT: tfTypes.Variable;
  bT: tfTypes.Variable;
  /** [k, out]: row c has a 1 at column units[c]. */
  place: tfTypes.Tensor2D;
  /** [out]: 0 at the learner units, 1 elsewhere (the frozen sublayer). */
  keep: tfTypes.Tensor1D;
}

/** Sum over the inputs of |after − before| for each output unit of a row-major in × out matrix. */
export function unitChange(before: Float32Array, after: Float32Array, inFeatures: number, outFeatures: number): Float32Array {
  const out = new Float32Array(outFeatures);
  for (let i = 0; i < inFeatures; i++) {
    for (let j = 0; j < outFeatures; j++) out[j]! += Math.abs(after[i * outFeatures + j]! - before[i * outFeatures + j]!);
  }
  return out;
}

export function applyFar(model: ToyModel, { retention, primingSteps }: FarConfig): AppliedMethod {
  const tf = model.tf;
  const stack = model.arch.stacks[0]!;
  const sites = toyTargetSites(
    model,
    stack.linears.filter(isFfn).map((l) => l.path),
  );
  const trainable: tfTypes.Variable[] = [];
  const splits = new Map<string, Split>();
  const byWeight = new Map<string, Split>();
  const merged = weightBackup(
    model,
    sites.flatMap((s) => [s.weightName, `h.${s.layer}.${s.name}.bias`]),
  );
  const clear = () => {
    for (const s of splits.values()) tf.dispose([s.wT, s.bT, s.place, s.keep]);
    splits.clear();
    byWeight.clear();
    trainable.length = 0;
  };

  function split(site: ToySite, units: number[]): Split {
    const { inFeatures: n, outFeatures: m } = site;
    const biasName = `h.${site.layer}.${site.name}.bias`;
    const w = model.weight(site.weightName).dataSync() as Float32Array;
    const b = model.weight(biasName).dataSync() as Float32Array;
    const k = units.length;
    const wT = new Float32Array(n * k);
    for (let i = 0; i < n; i++) units.forEach((u, c) => (wT[i * k + c] = w[i * m + u]!));
    const place = new Float32Array(k * m);
    units.forEach((u, c) => (place[c * m + u] = 1));
    const keep = new Float32Array(m).fill(1);
    for (const u of units) keep[u] = 0;
    return {
      site,
      biasName,
      units,
      wT: tf.tidy(() => tf.variable(tf.tensor2d(wT, [n, k]), true)),
      bT: tf.tidy(() => tf.variable(tf.tensor1d(Float32Array.from(units, (u) => b[u]!)), true)),
      place: tf.tensor2d(place, [k, m]),
      keep: tf.tensor1d(keep),
    };
  }

  return {
    // Empty until priming has picked the learner units; the trainer builds its optimizer after.
    trainable,
    hooks: {
      weight(name, w) {
        const s = byWeight.get(name);
        return s && !merged.taken ? tf.mul(w, s.keep) : w;
      },
      linear(site, x, base) {
        const s = splits.get(siteKey(site.layer, site.name));
        if (!s || merged.taken) return base;
        // The trained sublayer's outputs, permuted back into their units' places.
        return tf.add(base, tf.matMul(tf.add(tf.matMul(x, s.wT), s.bT), s.place));
      },
    },
    calibrate(ctx) {
      clear();
      // Priming: a short full fine-tuning run, measured against the pretrained weights.
      const before = new Map(sites.map((s) => [s.weightName, Float32Array.from(model.weight(s.weightName).dataSync())]));
      const all = weightBackup(model, [...model.weights.keys()]);
      all.take();
      ctx.fit({ task: ctx.task.id, trainable: [...model.weights.values()], hooks: {}, steps: primingSteps, learningRate: PRIMING_LEARNING_RATE, batchSize: PRIMING_BATCH });
      const scores = sites.map((s) => unitChange(before.get(s.weightName)!, model.weight(s.weightName).dataSync() as Float32Array, s.inFeatures, s.outFeatures));
      all.restore();
      sites.forEach((site, i) => {
        const keep = topK(scores[i]!, learnerUnits(site.outFeatures, retention));
        const units = [...keep.keys()].filter((j) => keep[j] === 1);
        const s = split(site, units);
        splits.set(site.key, s);
        byWeight.set(site.weightName, s).set(s.biasName, s);
        trainable.push(s.wT, s.bT);
      });
    },
    // Reconfigure back: the learner units' trained values go into the model's W and b.
    merge() {
      if (merged.taken) return;
      merged.take();
      for (const s of splits.values()) {
        const w = model.weight(s.site.weightName);
        const b = model.weight(s.biasName);
        tf.tidy(() => {
          w.assign(tf.add(tf.mul(w, s.keep), tf.matMul(s.wT, s.place)));
          b.assign(tf.add(tf.mul(b, s.keep), tf.reshape(tf.matMul(tf.reshape(s.bT, [1, -1]), s.place), [-1])));
        });
      }
    },
    unmerge: () => merged.restore(),
    dispose() {
      merged.dispose();
      clear();
    },
  };
}

export const far = defineMethod({
  id: 'far',
  name: 'FAR (Freeze And Reconfigure)',
  hyperparams: [
    {
      key: 'retention',
      label: 'Retention (%)',
      help: 'Share of the output units of every feed-forward linear map that keep training (the paper’s retention percentage); the rest of the model is frozen. Our default, not the paper’s.',
      kind: 'number',
      min: 0.1,
      max: 100,
      default: 10,
    },
    {
      key: 'primingSteps',
      label: 'Priming steps',
      help: 'Steps of full fine-tuning before the run whose weight changes pick the learner units; the weights then return to their pretrained values.',
      kind: 'int',
      min: 1,
      max: 200,
      // About 2% of the playground's default 300 steps: "a small share" of the iterations.
      default: 5,
      toyOnly: true,
    },
  ],
  toyConfig: { retention: 25 },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    atInference: 'Until it is reconfigured back, each feed-forward map runs as a trained and a frozen sublayer whose outputs are permuted into order; reconfigured, the learner units sit in the original matrices.',
    countNote: ({ retention }) => `The count is the chosen ${retention}% of the units of every feed-forward map, each with its weights (and bias, where the map has one); which units, a short priming run on task data decides.`,
  },
  lineage: [],
  anatomy: farAnatomy,
  profile: farProfile,
  apply: applyFar,
});
