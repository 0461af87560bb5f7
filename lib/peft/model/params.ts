import type { TF } from './transformer';
import type * as tfTypes from '@tensorflow/tfjs';
import { type Rng, normals } from './random';

/**
 * Trainable tensors a method adds to the toy model, initialised from a seeded generator. Each is
 * made inside tidy(): tf.variable() keeps its own copy, and the initial tensor would otherwise leak.
 */
export function normalVariable(tf: TF, rng: Rng, shape: number[], std: number): tfTypes.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.variable(tf.tensor(normals(rng, size, std), shape), true));
}

export function uniformVariable(tf: TF, rng: Rng, shape: number[], bound: number): tfTypes.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, () => (2 * rng() - 1) * bound);
  return tf.tidy(() => tf.variable(tf.tensor(data, shape), true));
}

export function zerosVariable(tf: TF, shape: number[]): tfTypes.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), true));
}

export function disposeAll(vars: readonly tfTypes.Variable[]): void {
  for (const v of vars) v.dispose();
}
