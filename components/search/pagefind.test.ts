import { describe, expect, it } from 'vitest';
import { excerptParts, whereLabel } from './pagefind';

describe('excerptParts', () => {
  it('splits the marked words from the rest and decodes entities', () => {
    expect(excerptParts('trains <mark>LoRA</mark> factors A &amp; B &lt;r&gt;')).toEqual([
      { text: 'trains ', marked: false },
      { text: 'LoRA', marked: true },
      { text: ' factors A & B <r>', marked: false },
    ]);
  });

  it('keeps any other markup as literal text', () => {
    const parts = excerptParts('<img src=x onerror=alert(1)> and <mark>x</mark>');
    expect(parts[0]).toEqual({ text: '<img src=x onerror=alert(1)> and ', marked: false });
    expect(parts[1]).toEqual({ text: 'x', marked: true });
  });
});

describe('whereLabel', () => {
  it('names model records and shows a page by its path', () => {
    expect(whereLabel({ url: '/calculator/?model=t5-large', meta: { kind: 'Model' } })).toBe('Model in the calculator');
    expect(whereLabel({ url: '/methods/lora/', meta: {} })).toBe('methods › lora');
    expect(whereLabel({ url: '/about/cost-model/#memory', meta: {} })).toBe('about › cost-model');
    expect(whereLabel({ url: '/', meta: {} })).toBe('Home');
  });
});
