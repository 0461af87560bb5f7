import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Starts TensorFlow.js in Node on the WASM backend (fast, single-threaded) or pure-JS CPU. */
export async function useNodeBackend(name: 'wasm' | 'cpu'): Promise<string> {
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend "${name}" failed to start`);
  await tf.ready();
  return tf.getBackend();
}
