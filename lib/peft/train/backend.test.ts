import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';

const wasmPath = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;

describe('backend choice', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('without WebGPU or WebGL falls back to WASM and says why each was skipped', async () => {
    const choice = await chooseBackend('auto', wasmPath);
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.skipped.map((s) => s.backend)).toEqual(['webgpu', 'webgl']);
    expect(choice.skipped[0]!.reason).toMatch(/does not expose WebGPU/);
    expect(choice.skipped[1]!.reason.length).toBeGreaterThan(0);
  });

  it('honours a chosen backend', async () => {
    expect(await chooseBackend('cpu', wasmPath)).toEqual({ backend: 'cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
  });
});
