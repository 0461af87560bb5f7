import { describe, expect, it } from 'vitest';
import { taxonomy } from '@/lib/peft/taxonomy';
import { mapLabel } from './labels';
import { EMPTY_QUERY, matchSummary, matches, type MapFilter, type Matchable } from './match';

const methods: Matchable[] = taxonomy.methods.map((m) => ({
  id: m.id,
  name: m.name,
  label: mapLabel(m.name),
  filters: [
    ...(['additive', 'selective', 'reparametrization'] as const).filter((f) => m.regions.includes(f)),
    ...(m.category === 'hybrid' ? (['hybrid'] as const) : []),
    ...(m.survey === 'beyond' ? (['later'] as const) : []),
  ] as MapFilter[],
}));
const ids = (text: string, filter: MapFilter | '' = '') => methods.filter((m) => matches(m, { text, filter })).map((m) => m.id);

describe('map search', () => {
  it('finds the LoRA family by name and nothing else', () => {
    const found = ids('lora');
    expect(found).toEqual(expect.arrayContaining(['lora', 'qlora', 'adalora', 'lora-fa', 'relora', 'sparse-lora']));
    expect(found).not.toContain('dora');
    expect(found).not.toContain('bitfit');
  });

  it('ignores case, spaces and hyphens', () => {
    expect(ids('LoRA FA')).toEqual(['lora-fa']);
    expect(ids('ptuning')).toEqual(expect.arrayContaining(['p-tuning', 'p-tuning-v2']));
    expect(ids('  ')).toHaveLength(methods.length);
  });

  it('filters by family membership, hybrids and later methods, combined with the search', () => {
    expect(ids('', 'selective')).toEqual(expect.arrayContaining(['bitfit', 's4', 'sparse-adapter', 'sparse-lora']));
    expect(ids('', 'selective')).not.toContain('lora');
    expect(ids('', 'hybrid').every((id) => taxonomy.methods.find((m) => m.id === id)?.category === 'hybrid')).toBe(true);
    expect(ids('lora', 'later')).toEqual(expect.arrayContaining(['qlora', 'adalora']));
    expect(ids('lora', 'later')).not.toContain('lora');
  });

  it('says how many match, and of what', () => {
    expect(matchSummary(46, 46, EMPTY_QUERY)).toBe('All 46 methods shown.');
    expect(matchSummary(6, 46, { text: 'lora', filter: '' })).toBe('6 of 46 methods match “lora”.');
    expect(matchSummary(1, 46, { text: 's4', filter: 'hybrid' })).toBe('1 of 46 method in Hybrid matches “s4”.');
    expect(matchSummary(15, 46, { text: '', filter: 'later' })).toBe('15 of 46 methods among the later methods.');
  });
});
