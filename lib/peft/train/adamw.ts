import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay, applied to matrices only (not to biases, norms or vectors). */
  weightDecay?: number;
  /** Clip the global gradient norm to this value. */
  clipNorm?: number;
}

/**
 * AdamW (Loshchilov & Hutter) with global-norm clipping. Written out rather than taken from
 * tf.train because the trainer needs the gradient norm (for clipping and the NaN guard) and
 * per-element masks, and tf.train's Adam has no decoupled weight decay.
 * Moment tensors are created up front so the tensor count is the same at every step.
 */
export class AdamW {
  private readonly moments: { m: tf.Variable; v: tf.Variable }[];
  /** Updates seen by each variable's moments; per variable, because a method may reset some. */
  private readonly t: number[];
  private readonly o: Required<AdamWOptions>;

  constructor(
    readonly variables: readonly tf.Variable[],
    options: AdamWOptions = {},
  ) {
    this.o = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, clipNorm: 1, ...options };
    this.moments = tf.tidy(() => variables.map((v) => ({ m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false) })));
    this.t = variables.map(() => 0);
  }

  /** Forgets the moments of `vars` (ReLoRA after a merge): their next update starts afresh. */
  reset(vars: readonly tf.Variable[]): void {
    this.variables.forEach((variable, i) => {
      if (!vars.includes(variable)) return;
      const { m, v } = this.moments[i] as { m: tf.Variable; v: tf.Variable };
      tf.tidy(() => {
        m.assign(tf.zerosLike(m));
        v.assign(tf.zerosLike(v));
      });
      this.t[i] = 0;
    });
  }

  /**
   * Keeps the `keep` share of the optimizer state of each of `vars` by magnitude and zeroes the
   * rest (ReLoRA's partial reset). The threshold is the (1 − keep) quantile of the second moment
   * with linear interpolation (torch.quantile's, as the reference code's `magnitude_pruning_`),
   * and only entries strictly above it stay. The reference code thresholds exp_avg and exp_avg_sq
   * each on its own; here one mask, from the second moment, zeroes both, so no entry keeps a first
   * moment without the second that scales it. Otherwise, right after a ReLoRA restart (B = 0, so
   * A's gradient is exactly zero) such an entry steps by m/ε: on the toy the loss jumped from 0.4
   * to 5.8 two steps after the first restart. The step count stays, so bias correction goes on.
   */
  prune(vars: readonly tf.Variable[], keep: number): void {
    if (keep >= 1) return;
    this.variables.forEach((variable, i) => {
      if (!vars.includes(variable)) return;
      const { m, v } = this.moments[i] as { m: tf.Variable; v: tf.Variable };
      const threshold = quantile(tf.tidy(() => v.dataSync() as Float32Array), 1 - Math.max(0, keep));
      tf.tidy(() => {
        const kept = tf.cast(tf.greater(v, threshold), 'float32');
        m.assign(tf.mul(m, kept));
        v.assign(tf.mul(v, kept));
      });
    });
  }

  /** A copy of the moments and step count of one variable (for tests and measurements). */
  state(variable: tf.Variable): { m: Float32Array; v: Float32Array; t: number } {
    const i = this.variables.indexOf(variable);
    if (i < 0) throw new Error(`AdamW does not train ${variable.name}`);
    const { m, v } = this.moments[i] as { m: tf.Variable; v: tf.Variable };
    return { m: Float32Array.from(m.dataSync()), v: Float32Array.from(v.dataSync()), t: this.t[i] ?? 0 };
  }

  /**
   * Global L2 norm of the gradients, as a scalar tensor the caller disposes. Summed two at a
   * time: WebGPU gives a shader at most 8 storage buffers, so one addN over many tensors fails
   * there (measured on an H100 through Dawn: every step's norm came back wrong).
   */
  static globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
    return tf.tidy(() => tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((sum, s) => tf.add(sum, s), tf.scalar(0))) as tf.Scalar);
  }

  /**
   * One update; `gradNorm` is the value `globalNorm` returned for the same gradients. `masks`
   * (1 where an element may change) let a method train part of a weight.
   */
  apply(grads: readonly tf.Tensor[], learningRate: number, gradNorm: number, masks?: ReadonlyMap<tf.Variable, tf.Tensor>): void {
    const { beta1, beta2, epsilon, weightDecay, clipNorm } = this.o;
    const clip = gradNorm > clipNorm ? clipNorm / gradNorm : 1;
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const { m, v } = this.moments[i] as { m: tf.Variable; v: tf.Variable };
        const t = (this.t[i] = (this.t[i] ?? 0) + 1);
        const correction1 = 1 - beta1 ** t;
        const correction2 = 1 - beta2 ** t;
        const mask = masks?.get(variable);
        let g = tf.mul(grads[i] as tf.Tensor, clip);
        if (mask) g = tf.mul(g, mask);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        let step = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        if (weightDecay > 0 && variable.rank >= 2) step = tf.add(step, tf.mul(variable, weightDecay));
        if (mask) step = tf.mul(step, mask);
        variable.assign(tf.sub(variable, tf.mul(step, learningRate)));
      });
    });
  }

  dispose(): void {
    for (const { m, v } of this.moments) {
      m.dispose();
      v.dispose();
    }
  }
}

/** The q-quantile of `values` with linear interpolation between neighbours, as torch.quantile. */
export function quantile(values: Float32Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float32Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (position - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
