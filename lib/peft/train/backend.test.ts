import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWeights } from '../model/weights';
import { type BackendHost, CUT_FACTOR, type StepTimer, chooseBackend } from './backend';
import type { BackendName } from './protocol';
import { trainingStepTimer } from './step-timer';

const wasmPath = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;

/** A browser as data: why each backend cannot start (or null), and what a step costs on it. */
function fakeBrowser(why: Partial<Record<BackendName, string>>, stepMs: Partial<Record<BackendName, number>>) {
  const active: BackendName[] = [];
  const limits: { backend: BackendName; limitMs: number }[] = [];
  const host: BackendHost = {
    prepare: async (name) => why[name] ?? null,
    activate: async (name) => {
      active.push(name);
      return true;
    },
    selfTest: () => true,
  };
  const timer: StepTimer = async (backend, limitMs) => {
    limits.push({ backend, limitMs });
    const ms = stepMs[backend];
    if (ms === undefined) throw new Error(`a kernel is missing on ${backend}`);
    return { msPerStep: ms, complete: ms <= limitMs };
  };
  return { host, timer, active, limits };
}

describe('the automatic backend choice (fakes)', () => {
  it('times every backend that starts, WASM first, keeps the fastest and says why for each', async () => {
    const b = fakeBrowser({ webgpu: 'WebGPU is present but offers no GPU adapter' }, { wasm: 90, webgl: 200, cpu: 400 });
    const choice = await chooseBackend('auto', wasmPath, { host: b.host, timer: b.timer });
    expect(choice.backend).toBe('wasm');
    // WASM sets the bar: WebGL is timed under 3 × 90 ms, CPU's 400 ms step is cut.
    expect(b.limits).toEqual([
      { backend: 'wasm', limitMs: Number.POSITIVE_INFINITY },
      { backend: 'webgl', limitMs: 90 * CUT_FACTOR },
      { backend: 'cpu', limitMs: 90 * CUT_FACTOR },
    ]);
    // The chosen backend is the active one at the end, not the last one timed.
    expect(b.active.at(-1)).toBe('wasm');
    expect(choice.measured).toEqual([
      { backend: 'wasm', msPerStep: 90 },
      { backend: 'webgl', msPerStep: 200 },
    ]);
    expect(choice.reason).toBe("the fastest of 3 backends timed on this run's training steps, at 90 ms/step");
    expect(choice.skipped).toEqual([
      { backend: 'webgpu', reason: 'could not start: WebGPU is present but offers no GPU adapter' },
      { backend: 'webgl', reason: 'measured 200 ms/step, slower than WebAssembly (WASM) at 90 ms/step' },
      { backend: 'cpu', reason: 'timing stopped after a step of 400 ms, over 3× WebAssembly (WASM) at 90 ms/step' },
    ]);
  });

  it('picks a GPU backend when it is measured faster, and reports a backend whose training fails', async () => {
    const b = fakeBrowser({}, { wasm: 90, webgpu: 12, cpu: 250 });
    const choice = await chooseBackend('auto', wasmPath, { host: b.host, timer: b.timer });
    expect(choice.backend).toBe('webgpu');
    expect(b.active.at(-1)).toBe('webgpu');
    expect(choice.skipped).toEqual([
      { backend: 'wasm', reason: 'measured 90 ms/step, slower than WebGPU at 12 ms/step' },
      { backend: 'webgl', reason: 'started, but training on it failed: a kernel is missing on webgl' },
      { backend: 'cpu', reason: 'timing stopped after a step of 250 ms, over 3× WebGPU at 12 ms/step' },
    ]);
  });

  it('says when only one backend runs', async () => {
    const b = fakeBrowser({ webgpu: 'no', webgl: 'no', cpu: 'no' }, { wasm: 50 });
    const choice = await chooseBackend('auto', wasmPath, { host: b.host, timer: b.timer });
    expect(choice).toMatchObject({ backend: 'wasm', reason: 'the only backend that runs here, at 50 ms/step' });
  });

  it('honours a hand choice without timing, and falls to the next one down with a reason', async () => {
    const b = fakeBrowser({ webgl: 'it did not start in this browser' }, { wasm: 90 });
    const choice = await chooseBackend('webgl', wasmPath, { host: b.host, timer: b.timer });
    expect(b.limits).toEqual([]);
    expect(choice).toEqual({
      backend: 'wasm',
      reason: 'WebGL was chosen by hand but could not start; WebAssembly (WASM) is the next one down that runs',
      skipped: [{ backend: 'webgl', reason: 'could not start: it did not start in this browser' }],
      measured: [],
    });
    const byHand = await chooseBackend('cpu', wasmPath, { host: b.host, timer: b.timer });
    expect(byHand).toEqual({ backend: 'cpu', reason: 'chosen by hand', skipped: [], measured: [] });
  });

  it('fails with every reason when nothing starts', async () => {
    const b = fakeBrowser({ webgpu: 'a', webgl: 'b', wasm: 'c', cpu: 'd' }, {});
    await expect(chooseBackend('auto', wasmPath, { host: b.host, timer: b.timer })).rejects.toThrow(
      'no TensorFlow.js backend could start: WebAssembly (WASM): could not start: c; WebGPU: could not start: a; WebGL: could not start: b; CPU (plain JavaScript): could not start: d',
    );
  });
});

describe('the automatic backend choice in Node (real TensorFlow.js)', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('times real training steps on WASM and CPU, and leaves the faster one active', async () => {
    const { header, values } = decodeWeights(readFileSync('public/models/toy-base.bin'));
    const request = { method: 'lora', config: {}, task: 'topic' as const, steps: 10, batchSize: 4, learningRate: 5e-3, seed: 0, evalEvery: 10 };
    const before = tf.memory().numTensors;
    const choice = await chooseBackend('auto', wasmPath, { timer: trainingStepTimer(header.dims, values, request, 2) });
    // Node has neither WebGPU nor WebGL.
    expect(choice.skipped.find((s) => s.backend === 'webgpu')?.reason).toMatch(/^could not start: this browser does not expose WebGPU/);
    expect(choice.skipped.find((s) => s.backend === 'webgl')?.reason).toMatch(/^could not start: /);
    expect(tf.getBackend()).toBe(choice.backend);
    const wasm = choice.measured.find((m) => m.backend === 'wasm');
    expect(wasm?.msPerStep).toBeGreaterThan(0);
    const fastest = Math.min(...choice.measured.map((m) => m.msPerStep));
    expect(choice.measured.find((m) => m.backend === choice.backend)?.msPerStep).toBe(fastest);
    // Timing disposes of its throwaway model.
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('honours a chosen backend', async () => {
    expect(await chooseBackend('cpu', wasmPath)).toEqual({ backend: 'cpu', skipped: [], reason: 'chosen by hand', measured: [] });
    expect(tf.getBackend()).toBe('cpu');
  });
});
