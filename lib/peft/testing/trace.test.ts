import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Attachment, attachAll, weightParts } from '../method-api/anatomy';
import { resolveConfig, toyConfig } from '../method-api/config';
import type { AppliedMethod, PeftMethod } from '../method-api/types';
import { ToyModel } from '../model/transformer';
import { findPeftMethod } from '../registry';
import { TINY_DIMS, useTestBackend } from './tf-test';
import { anatomyMismatches, toyWeightParts, traceApplied, traceMethod } from './trace';

/**
 * The trace is what makes the anatomy check bite: these tests show that it sees what methods do
 * and that the contract's comparison rejects declarations that misstate it.
 */

const method = (id: string): PeftMethod => findPeftMethod(id);

describe('tracing a method on the toy', () => {
  beforeAll(useTestBackend);

  it('names the toy’s weights by block part', () => {
    const model = ToyModel.init(TINY_DIMS, 0);
    expect(toyWeightParts(model, 'h.1.q_proj.weight')).toEqual(['attn.q']);
    expect(toyWeightParts(model, 'h.0.fc1.bias')).toEqual(['ffn.up']);
    expect(toyWeightParts(model, 'h.0.ln_1.weight')).toEqual(['attn.norm']);
    expect(toyWeightParts(model, 'h.1.ln_2.bias')).toEqual(['ffn.norm']);
    expect(toyWeightParts(model, 'ln_f.weight')).toEqual(['final']);
    // The LM head is the embedding table, transposed.
    expect(toyWeightParts(model, 'wte')).toEqual(['embedding', 'head']);
    expect(() => toyWeightParts(model, 'h.0.nope.weight')).toThrow(/no block part/);
    model.dispose();
  });

  it('sees where each kind of hook acts, and which base weights are trained', () => {
    const model = ToyModel.init(TINY_DIMS, 0);
    const start = tf.memory().numTensors;
    const trace = (id: string, input = {}) => traceMethod(method(id), model, resolveConfig(method(id), model.arch, input));
    expect(trace('lora', { targets: ['q_proj', 'fc2'] })).toEqual({ trained: [], hooked: ['attn.q', 'ffn.down'] });
    expect(trace('adapters', { placement: 'attention' }).hooked).toEqual(['attn.output']);
    expect(trace('prompt-tuning').hooked).toEqual(['input']);
    expect(trace('prefix-tuning').hooked).toEqual(['attn.kv-prefix']);
    expect(trace('lst').hooked).toEqual(['final']);
    expect(trace('bitfit')).toEqual({ trained: ['attn.norm', 'attn.q', 'attn.k', 'attn.v', 'attn.o', 'ffn.norm', 'ffn.up', 'ffn.down', 'final'], hooked: [] });
    expect(trace('full-fine-tuning').trained).toEqual(weightParts(model.arch));
    // QLoRA's weight hook hands every linear map its NF4 copy; LoRA acts on the one target.
    expect(trace('qlora', { targets: ['v_proj'] }).hooked).toEqual(['attn.q', 'attn.k', 'attn.v', 'attn.o', 'ffn.up', 'ffn.down']);
    expect(tf.memory().numTensors, 'tracing frees what it made').toBe(start);
    model.dispose();
  });

  it('records activation hooks at their parts, and a changed block output at the block output', () => {
    const model = ToyModel.init(TINY_DIMS, 0);
    const applied: AppliedMethod = {
      trainable: [],
      hooks: {
        activation: (_l, site, x) => (site === 'mlp.hidden' ? tf.mul(x, 2) : x),
        blockOutput: (_l, h) => tf.add(h, 0),
      },
      dispose: () => {},
    };
    expect(traceApplied(model, applied)).toEqual({ trained: [], hooked: ['ffn.hidden', 'block.output'] });
    model.dispose();
  });
});

describe('the contract’s anatomy check rejects a wrong declaration', () => {
  beforeAll(useTestBackend);

  /** The mismatches of `declared` against what `id` does on the tiny toy with its toy config. */
  function mismatches(id: string, declared: (own: Attachment[]) => Attachment[]): string[] {
    const m = method(id);
    const model = ToyModel.init(TINY_DIMS, 1);
    const config = toyConfig(m, model.arch);
    const trace = traceMethod(m, model, config);
    const own = m.anatomy(model.arch, config);
    expect(anatomyMismatches(own, trace), `${id}'s own declaration`).toEqual([]);
    model.dispose();
    return anatomyMismatches(declared(own), trace);
  }

  it('a LoRA that claims k instead of v', () => {
    const wrong = mismatches('lora', (own) => own.map((a) => (a.part === 'attn.v' ? { ...a, part: 'attn.k' } : a)));
    expect(wrong).toEqual(['declared as added or changed, but no hook changes them: attn.k', 'hooks change parts it does not declare as added or changed: attn.v']);
  });

  it('a BitFit that calls its biases added instead of trained', () => {
    const wrong = mismatches('bitfit', (own) => own.map((a) => ({ ...a, kind: 'added' })));
    expect(wrong[0]).toMatch(/^trains weights of parts it does not declare as trained: attn\.norm, attn\.q/);
    expect(wrong[1]).toMatch(/^declared as added or changed, but no hook changes them: attn\.norm/);
  });

  it('an adapter that forgets the attention sublayer, and prompt tuning that claims the head too', () => {
    expect(mismatches('adapters', (own) => own.filter((a) => a.part !== 'attn.output'))).toEqual(['hooks change parts it does not declare as added or changed: attn.output']);
    expect(mismatches('prompt-tuning', (own) => [...own, { part: 'head', kind: 'changed', note: 'x' }])).toEqual(['declared as added or changed, but no hook changes them: head']);
  });

  it('full fine-tuning that leaves out the embedding, or claims trained parts with nothing trainable', () => {
    expect(mismatches('full-fine-tuning', (own) => own.filter((a) => a.part !== 'embedding'))).toEqual(['trains weights of parts it does not declare as trained: embedding']);
    expect(mismatches('lora', (own) => [...own, ...attachAll(['attn.o'], 'trained', 'x')])).toEqual(['declared as trained, but none of their weights is trainable: attn.o']);
  });

  it('lets a data-chosen part go untrained, but not a trained part go undeclared', () => {
    const m = method('fish-mask');
    const model = ToyModel.init(TINY_DIMS, 1);
    // A 0.1% mask of the tiny toy keeps a handful of weights: most parts train nothing.
    const config = resolveConfig(m, model.arch, { share: 0.1, samples: 4 });
    const trace = traceMethod(m, model, config);
    const declared = m.anatomy(model.arch, config);
    expect(trace.trained.length).toBeGreaterThan(0);
    expect(trace.trained.length).toBeLessThan(declared.length);
    expect(anatomyMismatches(declared, trace)).toEqual([]);
    const [first] = trace.trained;
    expect(anatomyMismatches(declared.filter((a) => a.part !== first), trace)).toEqual([`trains weights of parts it does not declare as trained: ${first}`]);
    // Without the data-chosen mark, every declared part must be trained.
    expect(anatomyMismatches(declared.map(({ chosenFromData: _, ...a }) => a), trace)[0]).toMatch(/^declared as trained, but none of their weights is trainable/);
    model.dispose();
  });
});
