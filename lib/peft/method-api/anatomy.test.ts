import { describe, expect, it } from 'vitest';
import { findModel } from '../models';
import { mamAdapter } from '../methods/mam-adapter';
import { toyArchitecture } from '../model/toy-arch';
import { METHODS, findPeftMethod } from '../registry';
import { BLOCK_PARTS, biasParts, inBlockOrder, linearParts, normPart, partsOf, targetParts, weightParts } from './anatomy';
import { resolveConfig, toyConfig } from './config';

const gpt2 = findModel('gpt2').arch;
const t5 = findModel('t5-base').arch;
const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
const toy = toyArchitecture();

describe('block parts of an architecture', () => {
  it('draws a fused qkv map on all three attention inputs, and cross-attention on attention', () => {
    expect(targetParts(gpt2, ['c_attn'])).toEqual(['attn.q', 'attn.k', 'attn.v']);
    expect(targetParts(gpt2, ['mlp.c_proj'])).toEqual(['ffn.down']);
    expect(targetParts(t5, ['EncDecAttention.q'])).toEqual(['attn.q']);
    expect(targetParts(llama, ['gate_proj', 'up_proj'])).toEqual(['ffn.up']);
  });

  it('puts a decoder’s first and middle norms before attention and its last before the FFN', () => {
    const decoder = t5.stacks.find((s) => s.kind === 'decoder')!;
    expect(decoder.norms).toHaveLength(3);
    expect(decoder.norms.map((_, i) => normPart(decoder, i))).toEqual(['attn.norm', 'attn.norm', 'ffn.norm']);
    const encoder = t5.stacks.find((s) => s.kind === 'encoder')!;
    expect(encoder.norms.map((_, i) => normPart(encoder, i))).toEqual(['attn.norm', 'ffn.norm']);
  });

  it('finds biases where the model has them: none in Llama or T5, every map and norm in GPT-2', () => {
    expect(biasParts(llama)).toEqual([]);
    expect(biasParts(t5)).toEqual([]);
    expect(biasParts(gpt2)).toEqual(['attn.norm', 'attn.q', 'attn.k', 'attn.v', 'attn.o', 'ffn.norm', 'ffn.up', 'ffn.down', 'final']);
  });

  it('lists every weight-holding part for full fine-tuning, and only those', () => {
    const parts = weightParts(toy);
    expect(parts).toEqual(['embedding', 'attn.norm', 'attn.q', 'attn.k', 'attn.v', 'attn.o', 'ffn.norm', 'ffn.up', 'ffn.down', 'final', 'head']);
    for (const activationOnly of ['input', 'attn.kv-prefix', 'attn.output', 'ffn.hidden', 'ffn.output'] as const) expect(parts).not.toContain(activationOnly);
    expect(linearParts(toy)).toEqual(['attn.q', 'attn.k', 'attn.v', 'attn.o', 'ffn.up', 'ffn.down']);
  });

  it('orders parts as BLOCK_PARTS does, each once', () => {
    expect(inBlockOrder(['head', 'input', 'attn.q', 'head'])).toEqual(['input', 'attn.q', 'head']);
  });
});

describe('every method’s declared anatomy', () => {
  const archs = [toy, gpt2, t5, llama, findModel('bigscience/bloom-560m').arch];

  it.each(METHODS.map((m) => [m.id, m] as const))('%s: names known parts with a short note, on the toy and real models', (_id, method) => {
    const known = new Set<string>(BLOCK_PARTS);
    for (const arch of archs) {
      const attachments = method.anatomy(arch, resolveConfig(method, arch));
      // BitFit has nothing to train in a model without biases; every other method attaches somewhere.
      if (method.id !== 'bitfit' || biasParts(arch).length > 0) expect(attachments.length, arch.id).toBeGreaterThan(0);
      for (const a of attachments) {
        expect(known.has(a.part), `${arch.id}: ${a.part}`).toBe(true);
        expect(a.note.length).toBeGreaterThan(0);
        expect(a.note.length, a.note).toBeLessThanOrEqual(60);
        if (a.chosenFromData) expect(a.kind).toBe('trained');
      }
    }
  });

  it('follows the config: LoRA draws exactly the maps its targets select', () => {
    const lora = findPeftMethod('lora');
    const config = resolveConfig(lora, llama, { targets: ['k_proj', 'down_proj'] });
    expect(partsOf(lora.anatomy(llama, config), ['added'])).toEqual(['attn.k', 'ffn.down']);
  });

  it('QLoRA marks every linear map as NF4-quantized and adds LoRA on its targets', () => {
    const qlora = findPeftMethod('qlora');
    const config = resolveConfig(qlora, llama, { targets: ['q_proj'] });
    const anatomy = qlora.anatomy(llama, config);
    expect(partsOf(anatomy, ['changed'])).toEqual(linearParts(llama));
    expect(partsOf(anatomy, ['added'])).toEqual(['attn.q']);
  });

  it('compose joins its parts’ anatomies: MAM is prefix tuning on attention plus an adapter beside the FFN', () => {
    const anatomy = mamAdapter.anatomy(toy, toyConfig(mamAdapter, toy));
    expect(anatomy.map((a) => [a.part, a.kind])).toEqual([
      ['attn.kv-prefix', 'added'],
      ['ffn.output', 'added'],
    ]);
  });
});
