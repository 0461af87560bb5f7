import { describe, expect, it } from 'vitest';
import { combinationName, mapLabel, zoneName } from './labels';

describe('mapLabel', () => {
  it('writes a multi-word name as the abbreviation it ends with', () => {
    expect(mapLabel('Ladder Side-Tuning (LST)')).toBe('LST');
    expect(mapLabel('Lottery Ticket Sparse Fine-Tuning (LT-SFT)')).toBe('LT-SFT');
    expect(mapLabel('Kronecker adapter with residual (KronA-B-res)')).toBe('KronA-B-res');
  });

  it('drops a parenthesis that explains rather than abbreviates', () => {
    expect(mapLabel('Adapters (Houlsby)')).toBe('Adapters');
    expect(mapLabel('S4 (PEFT design spaces)')).toBe('S4');
    expect(mapLabel('LeTS (Learn-to-Share)')).toBe('LeTS');
    expect(mapLabel('LLaMA-Adapter (adaption prompt)')).toBe('LLaMA-Adapter');
  });

  it('keeps other names as they are', () => {
    expect(mapLabel('(IA)³')).toBe('(IA)³');
    expect(mapLabel('P-Tuning v2')).toBe('P-Tuning v2');
  });
});

describe('zone names', () => {
  it('names a combination in the order of the figure, without "additive" when a subgroup says it', () => {
    expect(combinationName(['reparametrization', 'additive', 'adapters', 'selective'])).toBe('adapters, selective and reparametrization-based');
    expect(combinationName(['selective', 'reparametrization'])).toBe('selective and reparametrization-based');
  });

  it('names every kind of zone', () => {
    expect(zoneName([])).toBe('Outside every family');
    expect(zoneName(['additive'])).toBe('Other additive methods');
    expect(zoneName(['additive', 'soft-prompts'])).toBe('Soft prompts');
    expect(zoneName(['additive', 'adapters', 'soft-prompts'])).toBe('Adapters and soft prompts (overlap)');
    expect(zoneName(['reparametrization'])).toBe('Reparametrization-based');
  });
});
