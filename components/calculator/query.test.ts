import { describe, expect, it } from 'vitest';
import { defaultQuery, evaluateQuery, queryFromParams, queryToParams } from './query';

const read = (search: string) => queryFromParams(new URLSearchParams(search), defaultQuery('lora'), false);

function errorOf(search: string): string {
  const r = evaluateQuery(read(search));
  if (!('error' in r)) throw new Error(`expected an error for ${search}`);
  return r.error;
}

describe('calculator URL', () => {
  it('ignores tracking parameters instead of reporting them as hyperparameters', () => {
    const q = read('model=gpt2&r=8&utm_source=newsletter&utm_campaign=x&fbclid=abc&gclid=def&ref=hn');
    expect(q.hyper).toEqual({ r: '8' });
    expect('estimate' in evaluateQuery(q)).toBe(true);
  });

  it('still reports a parameter that is neither a setting nor tracking', () => {
    expect(errorOf('model=gpt2&bottleneck=8')).toMatch(/LoRA has no hyperparameter "bottleneck"/);
  });

  it.each([
    ['0', false],
    ['off', false],
    ['No', false],
    ['1', true],
    ['true', true],
    ['ON', true],
  ])('reads checkpointing=%s as the CLI reads it', (raw, on) => {
    const fallback = { ...defaultQuery('lora'), checkpointing: !on };
    expect(queryFromParams(new URLSearchParams(`checkpointing=${raw}`), fallback, false).checkpointing).toBe(on);
  });

  it('reports a checkpointing value that is not a yes/no word, and keeps it in the URL until it is replaced', () => {
    const q = read('model=gpt2&checkpointing=maybe');
    expect(errorOf('model=gpt2&checkpointing=maybe')).toMatch(/gradient checkpointing must be one of .*, got "maybe"/);
    expect(queryToParams(q, false).get('checkpointing')).toBe('maybe');
    expect(queryToParams({ ...q, checkpointingText: undefined, checkpointing: true }, false).get('checkpointing')).toBe('1');
  });

  it('reads numbers as decimals only', () => {
    expect(errorOf('model=gpt2&r=0x10')).toMatch(/Rank r must be a decimal number, got "0x10"/);
    expect(errorOf('model=gpt2&batch=1e')).toMatch(/batch size must be a decimal number, got "1e"/);
    expect('estimate' in evaluateQuery(read('model=gpt2&r=1.6e1&seq=5.12e2'))).toBe(true);
  });

  it('cuts a long value in the message and escapes a newline so it cannot forge a second line', () => {
    const error = errorOf(`model=${encodeURIComponent(`${'x'.repeat(5_000)}`)}`);
    expect(error.length).toBeLessThan(400);
    expect(error).toContain(`"${'x'.repeat(40)}…"`);
    expect(errorOf(`model=${encodeURIComponent('gpt3\nerror: forged')}`)).not.toMatch(/\n/);
  });
});
