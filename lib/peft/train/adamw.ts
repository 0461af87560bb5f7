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
