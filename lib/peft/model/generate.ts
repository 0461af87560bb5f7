import * as tf from '@tensorflow/tfjs';
import type { ModelHooks } from './hooks';
import { BOS, EOS, decode, encode } from './tokenizer';
import type { ToyModel } from './transformer';

/** Greedy continuation of `prompt` until the end token, a full context or `maxTokens`. */
export function generate(model: ToyModel, prompt: string, hooks: ModelHooks = {}, maxTokens = 12): string {
  const ids = [BOS, ...encode(prompt)];
  const start = ids.length;
  // The prompt stays `start` tokens long as the sequence grows: methods that act on prompt
  // positions (LoReFT) edit the same positions they were trained on.
  while (ids.length < model.dims.context && ids.length - start < maxTokens) {
    const next = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'), hooks, { mode: 'eval', step: 0, promptLengths: [start] });
      return tf.argMax(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, -1]), 2);
    });
    const id = next.dataSync()[0] as number;
    next.dispose();
    ids.push(id);
    if (id === EOS) break;
  }
  return decode(ids.slice(start));
}
