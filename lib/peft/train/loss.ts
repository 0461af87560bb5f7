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
  return argMaxIds(logits, 2);
}

function argMaxIds(scores: tf.Tensor, axis: number): Int32Array {
  const argMax = tf.argMax(scores, axis);
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

/**
 * Each row's final hidden state where its answer starts (input position `promptLengths[b] − 1`),
 * `[batch, hidden]`: what a class head reads. A 0/1 selection matrix, not a gather, so WASM can
 * backpropagate through it.
 */
export function answerFeatures(features: tf.Tensor3D, batch: Batch): tf.Tensor2D {
  return tf.tidy(() => {
    const [size, length, hidden] = features.shape;
    const select = new Float32Array(size * size * length);
    for (let b = 0; b < size; b++) select[b * size * length + b * length + (batch.promptLengths[b] as number) - 1] = 1;
    return tf.matMul(tf.tensor2d(select, [size, size * length]), tf.reshape(features, [size * length, hidden]));
  });
}

function classIdsOf(batch: Batch): Int32Array {
  if (!batch.classIds) throw new Error('a class head needs a classification task: this batch has no class labels');
  return batch.classIds;
}

/** Mean cross-entropy of class scores `[batch, classes]` against the batch's class indices. */
export function classCrossEntropy(scores: tf.Tensor2D, batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    const labels = tf.oneHot(tf.tensor1d(classIdsOf(batch), 'int32'), scores.shape[1]);
    return tf.neg(tf.mean(tf.sub(tf.sum(tf.mul(scores, labels), 1), tf.logSumExp(scores, 1)))) as tf.Scalar;
  });
}

/** Each row's highest-scoring class. */
export function predictedClasses(scores: tf.Tensor2D): Int32Array {
  return argMaxIds(scores, 1);
}

/** Share of rows whose top class is right: exact match for a class head. */
export function classAccuracy(scores: tf.Tensor2D, batch: Batch): number {
  const ids = classIdsOf(batch);
  const predicted = predictedClasses(scores);
  return batch.size === 0 ? 0 : predicted.filter((p, b) => p === ids[b]).length / batch.size;
}
