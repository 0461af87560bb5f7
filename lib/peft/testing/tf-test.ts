import * as tf from '@tensorflow/tfjs';
import type { ToyDims } from '../model/toy-arch';
import { VOCAB } from '../model/tokenizer';

/** Unit tests run on the pure-JS CPU backend: deterministic and available everywhere. */
export async function useCpuBackend(): Promise<void> {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A smaller toy so that training tests take milliseconds per step. */
export const TINY_DIMS: ToyDims = { vocabSize: VOCAB.length, hiddenSize: 16, layers: 2, heads: 2, ffnSize: 32, context: 32 };
