import { describe, expect, it } from 'vitest';
import { DEFAULT_GUIDE_QUERY, guideQueryFromParams, guideQueryToParams, parseGuideQuery } from './query';

describe('the guide’s URL query', () => {
  it('reads the e2e link and writes it back, leaving the default batch and sequence out', () => {
    const params = new URLSearchParams('model=meta-llama/Llama-2-7b-hf&memory=24&tasks=10&latency=yes&utm_source=x');
    const q = guideQueryFromParams(params);
    expect(q).toEqual({ ...DEFAULT_GUIDE_QUERY, memory: '24', tasks: '10', latency: 'yes' });
    expect(guideQueryToParams(q).toString()).toBe('model=meta-llama%2FLlama-2-7b-hf&memory=24&tasks=10&latency=yes');
    expect(guideQueryToParams({ ...q, batch: '1', seq: '2048' }).toString()).toBe('model=meta-llama%2FLlama-2-7b-hf&memory=24&tasks=10&latency=yes&batch=1&seq=2048');
  });

  it('parses a valid query into the ranking input, finding the model as typed', () => {
    const p = parseGuideQuery({ ...DEFAULT_GUIDE_QUERY, model: 'llama-2-7b-hf', memory: ' 40 ', tasks: '1000', latency: 'yes' });
    expect('input' in p && { model: p.input.model.id, memory: p.input.memoryGiB, tasks: p.input.tasks, latency: p.input.latency }).toEqual({
      model: 'meta-llama/Llama-2-7b-hf',
      memory: 40,
      tasks: 1000,
      latency: true,
    });
  });

  it('gives a message for each bad field, never a NaN', () => {
    const p = parseGuideQuery({ model: 'no-such-model', memory: '-3', tasks: 'ten', latency: 'maybe', batch: '0', seq: '' });
    expect('errors' in p).toBe(true);
    if (!('errors' in p)) return;
    expect(p.errors.memory).toBe('GPU memory must be a number of GiB above 0 and at most 10,000');
    expect(p.errors.tasks).toBe('Tasks must be a whole number from 1 to 10,000');
    expect(p.errors.latency).toBe('Latency must be yes or no');
    expect(p.errors.batch).toMatch(/^Batch size must be a whole number from 1 to/);
    expect(p.errors.seq).toMatch(/^Sequence length must be a whole number from 1 to/);
    expect(p.errors.model).toMatch(/^unknown model "no-such-model"; closest: /);
    for (const message of Object.values(p.errors)) expect(message).not.toMatch(/NaN|Infinity/);
    for (const memory of ['0', 'abc', '1e9', 'NaN', '']) expect('errors' in parseGuideQuery({ ...DEFAULT_GUIDE_QUERY, memory }), memory).toBe(true);
  });
});
