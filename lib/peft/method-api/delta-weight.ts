import type * as tf from '@tensorflow/tfjs';
import type { ModelHooks } from '../model/hooks';
import type { ToyModel } from '../model/transformer';
import { siteKey, type ToySite } from './toy-sites';

/** A learned change of one frozen weight matrix `W` (`[in, out]`). */
export interface WeightDelta {
  /** ΔW for the current W, `[in, out]`: used to merge, and for the forward pass unless `forward` is given. */
  matrix(w: tf.Tensor2D): tf.Tensor2D;
  /** x·ΔW computed without forming ΔW, when that is cheaper (LoRA: (x·A)·B). */
  forward?(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D;
}

export interface DeltaWeights {
  /** Adds x·ΔW to every targeted map's output while unmerged. */
  hooks: Pick<ModelHooks, 'linear'>;
  /** Writes W + ΔW into the model (keeping W to restore); the hook then adds nothing. */
  merge(): void;
  /** Restores the W saved by `merge`, exactly. */
  unmerge(): void;
  /** Adds ΔW into W for good (ReLoRA's periodic merge): nothing to restore afterwards. */
  fold(): void;
  readonly merged: boolean;
  /** Frees the saved copies of W, if merged. */
  dispose(): void;
}

/**
 * The mechanics every additive or multiplicative weight update shares (LoRA and its variants,
 * (IA)³ when merged, OFT): the forward-pass hook, merge and unmerge.
 */
export function deltaWeights(model: ToyModel, sites: readonly ToySite[], deltaOf: (site: ToySite) => WeightDelta): DeltaWeights {
  const tf = model.tf;
  const entries = new Map(sites.map((s) => [s.key, { site: s, delta: deltaOf(s) }]));
  let saved: Map<string, tf.Tensor> | null = null;
  const weightOf = (site: ToySite) => model.weight(site.weightName) as tf.Variable<tf.Rank.R2>;
  const foldAll = () => {
    for (const { site, delta } of entries.values()) {
      const w = weightOf(site);
      tf.tidy(() => w.assign(tf.add(w, delta.matrix(w))));
    }
  };
  return {
    hooks: {
      linear(site, x, base) {
        const entry = entries.get(siteKey(site.layer, site.name));
        if (!entry || saved) return base;
        const w = weightOf(entry.site);
        const dx = entry.delta.forward ? entry.delta.forward(x, w) : tf.matMul(x, entry.delta.matrix(w));
        return tf.add(base, dx);
      },
    },
    merge() {
      if (saved) return;
      saved = new Map([...entries.values()].map(({ site }) => [site.weightName, weightOf(site).clone()]));
      foldAll();
    },
    unmerge() {
      if (!saved) return;
      for (const [name, copy] of saved) model.weight(name).assign(copy);
      tf.dispose([...saved.values()]);
      saved = null;
    },
    fold() {
      if (saved) throw new Error('fold() needs the unmerged state');
      foldAll();
    },
    get merged() {
      return saved !== null;
    },
    dispose() {
      if (saved) tf.dispose([...saved.values()]);
      saved = null;
    },
  };
}
