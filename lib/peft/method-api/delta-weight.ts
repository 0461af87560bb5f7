import type * as tf from '@tensorflow/tfjs';
import type { ModelHooks } from '../model/hooks';
import type { ToyModel } from '../model/transformer';
import { siteKey, type ToySite } from './toy-sites';
import type { AppliedMethod } from './types';

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

/** Copies of some of the model's weights, so that writing into them (a merge) can be undone exactly. */
export interface WeightBackup {
  readonly taken: boolean;
  /** Copies the weights, unless a copy is already held. */
  take(): void;
  /** Writes the copies back and frees them. */
  restore(): void;
  /** Frees the copies without writing them back. */
  dispose(): void;
}

export function weightBackup(model: ToyModel, names: readonly string[]): WeightBackup {
  let copies: Map<string, tf.Tensor> | null = null;
  const free = () => {
    if (copies) model.tf.dispose([...copies.values()]);
    copies = null;
  };
  return {
    get taken() {
      return copies !== null;
    },
    take() {
      copies ??= new Map(names.map((name) => [name, model.weight(name).clone()]));
    },
    restore() {
      for (const [name, copy] of copies ?? []) model.weight(name).assign(copy);
      free();
    },
    dispose: free,
  };
}

/**
 * The mechanics every additive or multiplicative weight update shares (LoRA and its variants,
 * (IA)³ when merged, OFT): the forward-pass hook, merge and unmerge.
 */
export function deltaWeights(model: ToyModel, sites: readonly ToySite[], deltaOf: (site: ToySite) => WeightDelta): DeltaWeights {
  const tf = model.tf;
  const entries = new Map(sites.map((s) => [s.key, { site: s, delta: deltaOf(s) }]));
  const backup = weightBackup(
    model,
    sites.map((s) => s.weightName),
  );
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
        if (!entry || backup.taken) return base;
        const w = weightOf(entry.site);
        const dx = entry.delta.forward ? entry.delta.forward(x, w) : tf.matMul(x, entry.delta.matrix(w));
        return tf.add(base, dx);
      },
    },
    merge() {
      if (backup.taken) return;
      backup.take();
      foldAll();
    },
    unmerge: () => backup.restore(),
    fold() {
      if (backup.taken) throw new Error('fold() needs the unmerged state');
      foldAll();
    },
    get merged() {
      return backup.taken;
    },
    dispose: () => backup.dispose(),
  };
}

/** A method that is only a weight update and its factors: it trains `factors`, and `dispose` frees
 * them and any saved copy of W. */
export function appliedDelta(model: ToyModel, delta: DeltaWeights, factors: tf.Variable[]): AppliedMethod {
  return {
    trainable: factors,
    hooks: delta.hooks,
    merge: delta.merge,
    unmerge: delta.unmerge,
    dispose: () => {
      delta.dispose();
      model.tf.dispose(factors);
    },
  };
}
