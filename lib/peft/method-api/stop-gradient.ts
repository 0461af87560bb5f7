import type * as tfTypes from '@tensorflow/tfjs';
import type { TF } from '../model/transformer';

/**
 * `x` unchanged in the forward pass, a constant in the backward pass: the gradient that reaches
 * it is replaced by zeros, so nothing upstream of `x` (a frozen backbone, say) receives any.
 * TensorFlow.js has no stop-gradient op (PyTorch's `detach`, TensorFlow's `tf.stop_gradient`),
 * so it is written with `customGrad`. Side networks (LST) read the backbone through it.
 *
 * The tfjs namespace comes in as an argument, as for the other method-api helpers, so method
 * files can use this without importing TensorFlow.js. Call it inside a tidy or a gradient
 * function (every forward pass is one).
 */
export function stopGradient<T extends tfTypes.Tensor>(tf: TF, x: T): T {
  // customGrad passes the inputs, then a save function; only the input is used.
  const detach = tf.customGrad((...args: (tfTypes.Tensor | tfTypes.GradSaveFunc)[]) => ({
    // A new tensor with the same values: customGrad must return its own result, not its input.
    value: tf.clone(args[0] as tfTypes.Tensor),
    gradFunc: (dy: tfTypes.Tensor) => tf.zerosLike(dy),
  }));
  return detach(x) as T;
}
