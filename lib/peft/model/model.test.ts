import { readdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { createRng } from './random';
import { MAX_EXAMPLE_CHARS, TASKS, corpusBatch, corpusLine, exampleBatch } from './tasks';
import { BOS, EOS, VOCAB, decode, encode } from './tokenizer';
import { TOY_DIMS, toyArchitecture } from './toy-arch';
import { ToyModel } from './transformer';
import { generate } from './generate';
import { decodeWeights, encodeWeights } from './weights';

beforeAll(useTestBackend);

describe('toy model', () => {
  it('has as many weights as its Architecture description counts', () => {
    for (const dims of [TOY_DIMS, TINY_DIMS]) {
      const model = ToyModel.init(dims);
      expect(model.parameterCount()).toBe(totalParams(toyArchitecture(dims)));
      model.dispose();
    }
    expect(VOCAB.length).toBeLessThan(100);
  });

  it('is causal: changing a later token leaves earlier logits unchanged', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const a = [BOS, ...encode('cat dog owl?')];
    const b = [...a.slice(0, 5), ...encode('zzzzzzzz')];
    const logits = (ids: number[]) => tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync()[0]!);
    const [la, lb] = [logits(a), logits(b)];
    for (let t = 0; t < 5; t++) la[t]!.forEach((v, i) => expect(lb[t]![i]).toBeCloseTo(v, 5));
    expect(Math.abs(la[6]![0]! - lb[6]![0]!)).toBeGreaterThan(0);
  });

  it('round-trips its weights through the shipped file format', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const bytes = encodeWeights(TINY_DIMS, model.snapshot(), { seed: 4 });
    const { header, values } = decodeWeights(bytes.slice().buffer);
    expect(header.dims).toEqual(TINY_DIMS);
    for (const [name, v] of model.snapshot()) expect(values.get(name)).toEqual(v);
    // A Node Buffer that is a view at an odd offset into a larger allocation decodes the same.
    const padded = Buffer.alloc(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeWeights(padded.subarray(3)).values).toEqual(values);
  });

  it('ships pretrained weights that know the corpus: copy lines are copied', () => {
    const bytes = readFileSync('public/models/toy-base.bin');
    expect(bytes.length).toBeLessThan(600 * 1024);
    const { header } = decodeWeights(bytes);
    expect(header.dims).toEqual(TOY_DIMS);
    expect(Number(header.trainedWith.copyExactMatch)).toBeGreaterThan(0.9);
    const { values } = decodeWeights(bytes);
    const model = ToyModel.fromValues(header.dims, values);
    expect(generate(model, 'qzkx>')).toBe('qzkx.');
    expect(generate(model, 'plume>')).toBe('plume.');
    model.dispose();
  });
});

describe('tokenizer and tasks', () => {
  it('encodes and decodes every character of the vocabulary', () => {
    const text = 'the fox>eht xof. 42?=';
    expect(decode(encode(text))).toBe(text);
    expect(decode([...encode('abc'), EOS, ...encode('def')])).toBe('abc');
    expect(() => encode('Ä')).toThrow(/no character/);
  });

  it('scores only the target of a task example', () => {
    const batch = exampleBatch([{ prompt: 'abc>', target: 'bcd.' }], 16);
    const scored = [...batch.mask].map((m, i) => (m ? batch.labels[i] : null)).filter((x) => x !== null);
    expect(scored).toEqual([...encode('bcd.'), EOS]);
  });

  it('generates reproducible, in-context examples for every task and the corpus', () => {
    for (const task of TASKS) {
      const [a, b] = [createRng(5), createRng(5)];
      const xs = Array.from({ length: 200 }, () => task.sample(a));
      expect(xs).toEqual(Array.from({ length: 200 }, () => task.sample(b)));
      expect(() => exampleBatch(xs, TOY_DIMS.context)).not.toThrow();
    }
    const rng = createRng(6);
    expect(() => corpusBatch(Array.from({ length: 2000 }, () => corpusLine(rng)), TOY_DIMS.context)).not.toThrow();
  });

  it('never draws an example longer than the context, even the rare topic line of long words', () => {
    for (const task of TASKS) {
      const rng = createRng(7);
      let longest = 0;
      for (let i = 0; i < 100_000; i++) {
        const { prompt, target } = task.sample(rng);
        longest = Math.max(longest, prompt.length + target.length);
      }
      expect(longest, task.id).toBeLessThanOrEqual(MAX_EXAMPLE_CHARS);
    }
  });

  it('letter shift moves every letter one place on, wrapping z to a', () => {
    const rng = createRng(7);
    const shift = TASKS.find((t) => t.id === 'shift')!;
    for (let i = 0; i < 50; i++) {
      const { prompt, target } = shift.sample(rng);
      const word = prompt.slice(0, -1);
      expect(target).toBe(`${[...word].map((c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 1) % 26) + 97)).join('')}.`);
    }
  });
});

describe('method files', () => {
  it('import TensorFlow.js for types only, so calculators can load them without it', () => {
    const files = ['lib/peft/methods', 'lib/peft/method-api'].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => `${dir}/${f}`),
    );
    for (const file of [...files, 'lib/peft/registry.ts', 'lib/peft/model/params.ts']) {
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/^import (?!type )[^;]*(@tensorflow|model\/transformer')/m);
    }
  });
});

describe('WebGPU limits', () => {
  it('the engine never combines many tensors in one op (addN): WebGPU allows 8 buffers per shader', () => {
    const files = ['lib/peft/train/adamw.ts', 'lib/peft/train/trainer.ts', 'lib/peft/train/loss.ts', 'lib/peft/model/transformer.ts'];
    const methodFiles = ['lib/peft/methods', 'lib/peft/method-api'].flatMap((dir) => readdirSync(dir).map((f) => `${dir}/${f}`));
    for (const file of [...files, ...methodFiles]) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/tf\.addN\(/);
    }
  });
});
