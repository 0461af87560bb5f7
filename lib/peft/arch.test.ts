import { describe, expect, it } from 'vitest';
import { linearMatches, linearPaths, matchingLinears, resolveTargets, type Architecture, type LinearMap, type TargetDefaults } from './arch';
import { toyArchitecture } from './model/toy-arch';
import { findModel } from './models';

const arch = (id: string): Architecture => findModel(id).arch;

/** Paths of the maps `targets` select in each stack, in layer order. */
function selected(a: Architecture, targets: readonly string[]): string[][] {
  return a.stacks.map((s) => matchingLinears(s, targets).map((l) => l.path));
}

const QV: TargetDefaults = { roles: ['attn.q', 'attn.v'], fallbackRoles: ['attn.qkv'] };
const resolve = (a: Architecture, requested: readonly string[] | string | undefined, defaults: TargetDefaults = QV) => resolveTargets(a, requested, defaults, 'Target modules');

const map = (path: string): LinearMap => ({ name: path.split('.').at(-1) ?? path, path, role: 'attn.q', inFeatures: 1, outFeatures: 1, bias: false });

describe('linearMatches (HF PEFT target_modules semantics)', () => {
  it('matches a path it equals or ends with after a dot', () => {
    expect(linearMatches(map('self_attn.q_proj'), 'q_proj')).toBe(true);
    expect(linearMatches(map('self_attn.q_proj'), 'self_attn.q_proj')).toBe(true);
    expect(linearMatches(map('q_proj'), 'q_proj')).toBe(true);
  });

  it('does not match a bare string suffix or a prefix', () => {
    expect(linearMatches(map('self_attn.q_proj'), 'proj')).toBe(false);
    expect(linearMatches(map('self_attn.q_proj'), '_proj')).toBe(false);
    expect(linearMatches(map('self_attn.q_proj'), 'self_attn')).toBe(false);
    expect(linearMatches(map('DenseReluDense.wi_0'), 'wi')).toBe(false);
    expect(linearMatches(map('attention.output.dense'), 'put.dense')).toBe(false);
  });
});

describe('matchingLinears', () => {
  it('tells GPT-2’s two c_proj maps apart by path', () => {
    const gpt2 = arch('gpt2');
    expect(selected(gpt2, ['mlp.c_proj'])).toEqual([['mlp.c_proj']]);
    expect(selected(gpt2, ['attn.c_proj'])).toEqual([['attn.c_proj']]);
    expect(selected(gpt2, ['c_proj'])).toEqual([['attn.c_proj', 'mlp.c_proj']]);
  });

  it('follows HF suffix matching for BERT: output.dense selects two maps, attention.output.dense one', () => {
    const bert = arch('bert-base-uncased');
    expect(selected(bert, ['output.dense'])).toEqual([['attention.output.dense', 'output.dense']]);
    expect(selected(bert, ['attention.output.dense'])).toEqual([['attention.output.dense']]);
    expect(selected(bert, ['intermediate.dense'])).toEqual([['intermediate.dense']]);
    expect(selected(bert, ['dense'])).toEqual([['attention.output.dense', 'intermediate.dense', 'output.dense']]);
  });

  it('selects T5’s self- and cross-attention q with "q"', () => {
    const t5 = arch('t5-large');
    expect(selected(t5, ['q'])).toEqual([['SelfAttention.q'], ['SelfAttention.q', 'EncDecAttention.q']]);
    expect(selected(t5, ['EncDecAttention.q'])).toEqual([[], ['EncDecAttention.q']]);
  });

  it('returns each map once, in layer order, however many targets select it', () => {
    const llama = arch('meta-llama/Llama-2-7b-hf');
    expect(selected(llama, ['v_proj', 'q_proj', 'self_attn.q_proj', 'q_proj'])).toEqual([['self_attn.q_proj', 'self_attn.v_proj']]);
  });
});

describe('linearPaths', () => {
  it('lists T5’s decoder cross-attention between self-attention and the FFN', () => {
    expect(linearPaths(arch('t5-small'))).toEqual([
      'SelfAttention.q',
      'SelfAttention.k',
      'SelfAttention.v',
      'SelfAttention.o',
      'EncDecAttention.q',
      'EncDecAttention.k',
      'EncDecAttention.v',
      'EncDecAttention.o',
      'DenseReluDense.wi',
      'DenseReluDense.wo',
    ]);
  });

  it('gives the toy Hugging Face-style paths and keeps its leaf names', () => {
    const toy = toyArchitecture();
    expect(toy.family).toBe('toy');
    expect(linearPaths(toy)).toEqual(['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.fc1', 'mlp.fc2']);
    expect(toy.stacks[0]?.linears.map((l) => l.name)).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2']);
  });
});

describe('resolveTargets', () => {
  it('defaults to the maps with the roles, by leaf name where the leaf is unambiguous', () => {
    expect(resolve(arch('meta-llama/Llama-2-7b-hf'), undefined)).toEqual(['q_proj', 'v_proj']);
    expect(resolve(arch('t5-large'), undefined)).toEqual(['q', 'v']);
    expect(resolve(arch('bert-base-uncased'), undefined)).toEqual(['query', 'value']);
    expect(resolve(toyArchitecture(), undefined)).toEqual(['q_proj', 'v_proj']);
  });

  it('uses the path where the leaf is ambiguous, and falls back to fallbackRoles', () => {
    expect(resolve(arch('gpt2'), undefined, { roles: ['attn.o'] })).toEqual(['attn.c_proj']);
    expect(resolve(arch('gpt2'), undefined)).toEqual(['c_attn']);
    expect(resolve(arch('bert-base-uncased'), undefined, { roles: ['attn.o', 'mlp.out'] })).toEqual(['attention.output.dense', 'output.dense']);
    expect(resolve(arch('bigscience/bloom-560m'), undefined, { roles: ['attn.o'] })).toEqual(['dense']);
  });

  it('takes a family’s own defaults first', () => {
    const defaults: TargetDefaults = { ...QV, byFamily: { gpt2: ['c_attn', 'mlp.c_proj'] } };
    expect(resolve(arch('gpt2'), undefined, defaults)).toEqual(['c_attn', 'mlp.c_proj']);
    expect(resolve(arch('meta-llama/Llama-2-7b-hf'), undefined, defaults)).toEqual(['q_proj', 'v_proj']);
  });

  it('accepts a list or a comma-separated string and keeps the targets as given, once each', () => {
    const llama = arch('meta-llama/Llama-2-7b-hf');
    expect(resolve(llama, ' q_proj, self_attn.v_proj ,,q_proj ')).toEqual(['q_proj', 'self_attn.v_proj']);
    expect(resolve(llama, ['mlp.down_proj', 'gate_proj', 'mlp.down_proj'])).toEqual(['mlp.down_proj', 'gate_proj']);
  });

  it('accepts HF-valid targets: T5’s q (self and cross), BERT’s output.dense (two maps), a full path', () => {
    expect(resolve(arch('t5-large'), 'q,k,v,o,wi,wo')).toEqual(['q', 'k', 'v', 'o', 'wi', 'wo']);
    expect(resolve(arch('bert-base-uncased'), ['output.dense'])).toEqual(['output.dense']);
    expect(resolve(arch('bert-base-uncased'), ['attention.output.dense'])).toEqual(['attention.output.dense']);
    expect(resolve(arch('gpt2'), ['mlp.c_proj'])).toEqual(['mlp.c_proj']);
  });

  it('rejects a bare leaf that selects maps of different kinds', () => {
    expect(() => resolve(arch('gpt2'), ['c_proj'])).toThrow(RangeError);
    expect(() => resolve(arch('gpt2'), ['c_proj'])).toThrow('"c_proj" is ambiguous in GPT-2 (124M): it matches attn.c_proj, mlp.c_proj; use one of those paths');
    expect(() => resolve(arch('bert-base-uncased'), 'query,dense')).toThrow(
      /^"dense" is ambiguous in BERT[^:]*: it matches attention\.output\.dense, intermediate\.dense, output\.dense; use one of those paths$/,
    );
  });

  it('rejects a target that selects nothing, listing the paths', () => {
    expect(() => resolve(arch('gpt2'), ['q_proj'])).toThrow(RangeError);
    expect(() => resolve(arch('gpt2'), ['q_proj'])).toThrow('GPT-2 (124M) has no linear map matching "q_proj" (it has attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj)');
    expect(() => resolve(arch('google/flan-t5-base'), ['wi'])).toThrow(/has no linear map matching "wi" \(it has SelfAttention\.q, .*DenseReluDense\.wi_0, DenseReluDense\.wi_1, DenseReluDense\.wo\)$/);
    expect(() => resolve(arch('meta-llama/Llama-2-7b-hf'), ['proj'])).toThrow(/no linear map matching "proj"/);
  });

  it("skips a family default that matches nothing in this model, as HF PEFT skips unmatched names in a list", () => {
    const t5Defaults: TargetDefaults = { ...QV, byFamily: { 'flan-t5': ['q', 'wi', 'wo'] } };
    expect(resolve(arch('google/flan-t5-base'), undefined, t5Defaults)).toEqual(['q', 'wo']);
    expect(() => resolve(arch('google/flan-t5-base'), ['q', 'wi', 'wo'])).toThrow(/no linear map matching "wi"/);
    expect(() => resolve(arch('gpt2'), undefined, { ...QV, byFamily: { gpt2: ['nope'] } })).toThrow('Target modules needs at least one module');
  });

  it('rejects an empty list with the label', () => {
    expect(() => resolve(arch('gpt2'), [])).toThrow(new RangeError('Target modules needs at least one module'));
    expect(() => resolve(arch('gpt2'), ' , ')).toThrow('Target modules needs at least one module');
    expect(() => resolve(arch('gpt2'), undefined, { roles: ['cross.q'] })).toThrow('Target modules needs at least one module');
  });
});
