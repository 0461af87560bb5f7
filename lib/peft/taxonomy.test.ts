import { describe, expect, it } from 'vitest';
import raw from '@/content/data/taxonomy.json';
import { ContentError, parseContent } from '@/lib/content/validate';
import { CATEGORIES, taxonomy, taxonomySchema } from './taxonomy';

describe('taxonomy dataset', () => {
  it('covers every category of the survey with at least one method', () => {
    for (const c of CATEGORIES) expect(taxonomy.methods.some((m) => m.category === c)).toBe(true);
  });

  it('has unique ids and the methods the first pages need', () => {
    const ids = taxonomy.methods.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['full-fine-tuning', 'lora', 'prompt-tuning', 'adapters', 'bitfit']));
  });

  it('names the file and the field of a bad entry', () => {
    const bad = structuredClone(raw) as { methods: { paper: { year: unknown } | null }[] };
    const target = bad.methods[3]?.paper;
    if (!target) throw new Error('fixture: method 3 has a paper');
    target.year = 'soon';
    expect(() => parseContent(taxonomySchema, bad, 'content/data/taxonomy.json')).toThrow(ContentError);
    expect(() => parseContent(taxonomySchema, bad, 'content/data/taxonomy.json')).toThrow(
      /content\/data\/taxonomy.json[\s\S]*field "methods.3.paper.year"/,
    );
  });

  it('rejects a duplicate id', () => {
    const bad = structuredClone(raw) as { methods: { id: string }[] };
    const [first, second] = bad.methods;
    if (!first || !second) throw new Error('fixture: two methods');
    second.id = first.id;
    expect(() => parseContent(taxonomySchema, bad, 'x.json')).toThrow(/field "methods.1.id": duplicate id/);
  });
});
