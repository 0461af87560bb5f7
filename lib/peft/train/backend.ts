import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendName } from './protocol';

export interface BackendChoice {
  backend: BackendName;
  skipped: { backend: BackendName; reason: string }[];
}

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

/** Why `name` cannot run here, or null if it is ready. Registers the backend on the way. */
async function prepare(name: BackendName, wasmPath: string): Promise<string | null> {
  switch (name) {
    case 'webgpu': {
      const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
      if (!gpu) return 'this browser does not expose WebGPU (navigator.gpu is missing)';
      if (!(await gpu.requestAdapter())) return 'WebGPU is present but offers no GPU adapter';
      await import('@tensorflow/tfjs-backend-webgpu');
      return null;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The threaded build breaks once bundled and minified; the SIMD build is fast enough here.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setWasmPaths(wasmPath);
      return null;
    }
    default:
      return null; // WebGL and CPU ship with @tensorflow/tfjs
  }
}

/** A tiny forward-and-backward check: some drivers compile kernels that run but compute nonsense. */
function selfTest(): boolean {
  return tf.tidy(() => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.softmax(tf.matMul(x, a))))(a);
    const product = tf.matMul(a, a).dataSync();
    const expected = [7, 10, 15, 22];
    return product.every((v, i) => Math.abs(v - (expected[i] as number)) < 1e-4) && grad.dataSync().every(Number.isFinite);
  });
}

/**
 * Starts the first backend that works, in the order WebGPU → WebGL → WASM → CPU, or from the
 * user's choice downwards, and says why each skipped one was skipped.
 */
export async function chooseBackend(preference: BackendName | 'auto', wasmPath: string): Promise<BackendChoice> {
  const order = preference === 'auto' ? BACKENDS : BACKENDS.slice(BACKENDS.indexOf(preference));
  const skipped: BackendChoice['skipped'] = [];
  for (const backend of order) {
    try {
      const reason = await prepare(backend, wasmPath);
      if (reason) {
        skipped.push({ backend, reason });
        continue;
      }
      if (!(await tf.setBackend(backend))) {
        skipped.push({ backend, reason: `${backend} failed to initialise in this browser` });
        continue;
      }
      await tf.ready();
      if (!selfTest()) {
        skipped.push({ backend, reason: `${backend} started but failed a numerical self-test` });
        continue;
      }
      return { backend, skipped };
    } catch (err) {
      skipped.push({ backend, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}
