import * as tf from '@tensorflow/tfjs';
import { useNodeBackend } from '../train/node-backend';
import type { ToyDims } from '../model/toy-arch';
import { VOCAB } from '../model/tokenizer';

/** Unit tests run on the WASM backend, as the browser fallback and the scripts do (and it is
 * several times faster than the pure-JS CPU backend). */
export async function useTestBackend(): Promise<void> {
  tf.env().set('IS_TEST', true);
  await useNodeBackend('wasm');
}

/** A smaller toy so that training tests take milliseconds per step. */
export const TINY_DIMS: ToyDims = { vocabSize: VOCAB.length, hiddenSize: 16, layers: 2, heads: 2, ffnSize: 32, context: 32 };
