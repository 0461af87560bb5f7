import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../model/tasks';

/** Mean cross-entropy over the scored positions of a batch, from logits `[batch, length, vocab]`. */
export function maskedCrossEntropy(logits: tf.Tensor3D, batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    const vocab = logits.shape[2];
    const flat = tf.reshape(logits, [-1, vocab]);
    const labels = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), vocab);
    // log p(label) = logit(label) − logsumexp(logits). Not log-softmax × one-hot: a log-probability
    // that underflows to −∞ times 0 would be NaN.
    const picked = tf.sub(tf.sum(tf.mul(flat, labels), 1), tf.logSumExp(flat, 1));
    const mask = tf.tensor1d(batch.mask);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * Share of examples whose every scored token is the model's top prediction. With teacher forcing
 * this equals exact match of greedy decoding: one wrong token makes the example wrong.
 */
function predictions(logits: tf.Tensor3D): Int32Array {
  const argMax = tf.argMax(logits, 2);
  const ids = argMax.dataSync() as Int32Array;
  argMax.dispose();
  return ids;
}

export function exactMatch(logits: tf.Tensor3D, batch: Batch): number {
  const predicted = predictions(logits);
  let correct = 0;
  for (let b = 0; b < batch.size; b++) {
    let ok = true;
    for (let t = 0; t < batch.length && ok; t++) {
      const i = b * batch.length + t;
      if (batch.mask[i] === 1 && predicted[i] !== batch.labels[i]) ok = false;
    }
    if (ok) correct++;
  }
  return batch.size === 0 ? 0 : correct / batch.size;
}

/** Share of scored tokens predicted exactly (next-token accuracy). */
export function tokenAccuracy(logits: tf.Tensor3D, batch: Batch): number {
  const predicted = predictions(logits);
  let scored = 0;
  let correct = 0;
  batch.mask.forEach((m, i) => {
    if (m !== 1) return;
    scored++;
    if (predicted[i] === batch.labels[i]) correct++;
  });
  return scored === 0 ? 0 : correct / scored;
}
