import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHODS, closestIds, findPeftMethod, lookupPeftMethod } from './registry';
import { findMethod, taxonomy } from './taxonomy';

describe('the registry', () => {
  it('registers exactly the method files of lib/peft/methods/ (the browser tests list them from there)', () => {
    const files = readdirSync('lib/peft/methods')
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -'.ts'.length));
    expect(METHODS.map((m) => m.id).sort()).toEqual(files.sort());
  });

  it('lists each method once, by its taxonomy id', () => {
    const ids = METHODS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(findMethod(id), id).toBeDefined();
  });

  it.each(METHODS.map((m) => m.id))('%s has a written page with its playground and calculator', (id) => {
    const page = readFileSync(`content/methods/${id}.mdx`, 'utf8');
    expect(page).toContain(`<Playground method="${id}" />`);
    expect(page).toContain(`<Calculator method="${id}" />`);
  });

  it('answers every taxonomy id: the method, or a sentence saying it is not built yet', () => {
    for (const { id, name } of taxonomy.methods) {
      const found = lookupPeftMethod(id);
      if ('method' in found) expect(found.method.id).toBe(id);
      else expect(found.error).toBe(`${name} has no calculator or playground yet; implemented: ${METHODS.map((m) => m.id).join(', ')}`);
    }
  });

  it('gives a rank setting only to low-rank reparametrizations, and names one of their whole-number hyperparameters', () => {
    const ranked = METHODS.filter((m) => m.rankParam !== undefined);
    expect(ranked.map((m) => m.id)).toEqual(expect.arrayContaining(['lora', 'qlora', 'adalora']));
    for (const m of ranked) {
      expect(findMethod(m.id)?.subgroup, m.id).toBe('low-rank');
      expect(m.hyperparams.find((h) => h.key === m.rankParam)?.kind, m.id).toBe('int');
    }
  });

  it('suggests close ids for an unknown one', () => {
    expect(() => findPeftMethod('lorra')).toThrow(/^unknown method "lorra"; did you mean lora/);
    expect(closestIds('adalor', 1)).toEqual(['adalora']);
    expect(() => findPeftMethod('zzzzzzzzzz')).toThrow(/^unknown method "zzzzzzzzzz"$/);
  });
});
