import { describe, expect, it } from 'vitest';
import raw from '@/content/data/taxonomy.json';
import { ContentError, parseContent } from '@/lib/content/validate';
import { CATEGORIES, SURVEY_COVERAGE, SURVEY_LABELS, findMethod, paperUrl, taxonomy, taxonomySchema } from './taxonomy';

type RawMethod = { id: string; name: string; summary?: string; paper: Record<string, unknown> | null };
const rawMethods = () => structuredClone(raw) as unknown as { methods: RawMethod[] };

function withPaper(id: string) {
  const m = findMethod(id);
  if (!m?.paper) throw new Error(`${id} has a paper in the taxonomy`);
  return m.paper;
}

describe('taxonomy dataset', () => {
  it('covers every category of the survey with at least one method', () => {
    for (const c of CATEGORIES) expect(taxonomy.methods.some((m) => m.category === c)).toBe(true);
  });

  it('has unique ids and the methods the first pages need', () => {
    const ids = taxonomy.methods.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['full-fine-tuning', 'lora', 'prompt-tuning', 'adapters', 'bitfit']));
  });

  it('gives every paper a complete author list and a link', () => {
    for (const m of taxonomy.methods) {
      if (!m.paper) continue;
      expect(m.paper.authors.length, m.id).toBeGreaterThan(0);
      for (const a of m.paper.authors) expect(a, m.id).toMatch(/^[^,]+, [^,]+$/);
      expect(paperUrl(m.paper), m.id).toMatch(/^https:\/\//);
    }
    // Spot checks against the arXiv abstract pages.
    expect(withPaper('lora').authors).toHaveLength(8);
    expect(withPaper('ipt').authors).toHaveLength(13);
    expect(withPaper('boft').authors.at(-1)).toBe('Schölkopf, Bernhard');
  });

  it('links papers without an arXiv id through their DOI or proceedings page', () => {
    expect(paperUrl(withPaper('attention-fusion'))).toBe('https://doi.org/10.18653/v1/2022.findings-naacl.64');
    expect(paperUrl(withPaper('lets'))).toBe('https://proceedings.mlr.press/v139/fu21a.html');
    expect(paperUrl(withPaper('dora'))).toBe('https://arxiv.org/abs/2402.09353');
  });

  it('keeps the doubt about the survey\'s "Sparse LoRa" reference visible', () => {
    expect(withPaper('sparse-lora').confidence).toMatch(/uncertain/);
  });

  it('has a one-line summary for every method and plain display names', () => {
    for (const m of taxonomy.methods) {
      expect(m.summary.length, m.id).toBeLessThanOrEqual(160);
      expect(m.summary, m.id).toMatch(/[.!?]$/);
      expect(m.name, m.id).not.toMatch(/[\^_]/);
    }
    expect(findMethod('krona-res')?.name).toContain('KronA-B-res');
  });

  it('labels survey coverage in plain words', () => {
    const labels = SURVEY_COVERAGE.map((s) => SURVEY_LABELS[s]);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label).not.toMatch(/\bv1\b|Own section|Later work/);
  });
});

describe('taxonomy schema', () => {
  it('names the file and the field of a bad entry', () => {
    const bad = rawMethods();
    const target = bad.methods[3]?.paper;
    if (!target) throw new Error('fixture: method 3 has a paper');
    target.year = 'soon';
    expect(() => parseContent(taxonomySchema, bad, 'content/data/taxonomy.json')).toThrow(ContentError);
    expect(() => parseContent(taxonomySchema, bad, 'content/data/taxonomy.json')).toThrow(
      /content\/data\/taxonomy.json[\s\S]*field "methods.3.paper.year"/,
    );
  });

  it('rejects a duplicate id', () => {
    const bad = rawMethods();
    const [first, second] = bad.methods;
    if (!first || !second) throw new Error('fixture: two methods');
    second.id = first.id;
    expect(() => parseContent(taxonomySchema, bad, 'x.json')).toThrow(/field "methods.1.id": duplicate id/);
  });

  it('rejects "et al." and names without a comma in an author list', () => {
    const bad = rawMethods();
    const paper = bad.methods[1]?.paper;
    if (!paper) throw new Error('fixture: method 1 has a paper');
    paper.authors = ['Houlsby et al.'];
    expect(() => parseContent(taxonomySchema, bad, 'x.json')).toThrow(/field "methods.1.paper.authors.0"/);
    paper.authors = ['Houlsby, Neil', 'others, et al.'];
    expect(() => parseContent(taxonomySchema, bad, 'x.json')).toThrow(/not "et al."/);
  });

  it('requires a summary of at most 160 characters', () => {
    const bad = rawMethods();
    const method = bad.methods[2];
    if (!method) throw new Error('fixture: three methods');
    method.summary = 'x'.repeat(161);
    expect(() => parseContent(taxonomySchema, bad, 'x.json')).toThrow(/field "methods.2.summary"/);
    delete method.summary;
    expect(() => parseContent(taxonomySchema, bad, 'x.json')).toThrow(/field "methods.2.summary"/);
  });

  it('rejects TeX-like markup in a display name and a paper nobody can find', () => {
    const bad = rawMethods();
    const method = bad.methods[4];
    if (!method?.paper) throw new Error('fixture: method 4 has a paper');
    method.name = 'KronA^B_res';
    method.paper.arxiv = null;
    const err = (() => {
      try {
        parseContent(taxonomySchema, bad, 'x.json');
      } catch (e) {
        return e as ContentError;
      }
      throw new Error('expected a ContentError');
    })();
    expect(err.message).toMatch(/field "methods.4.name": a display name is plain text/);
    expect(err.message).toMatch(/field "methods.4.paper.arxiv": a paper needs an arXiv id, a DOI or a URL/);
  });
});
