import { describe, expect, it } from 'vitest';
import { median } from '@/lib/stats';
import { formatCompact, formatGB } from './format';

describe('number formats', () => {
  it('writes memory in decimal units, GB from 1 GB up', () => {
    expect(formatGB(0)).toBe('0');
    expect(formatGB(16_777_216)).toBe('16.8 MB');
    expect(formatGB(51_691_607_654)).toBe('51.7 GB');
    expect(formatGB(155_384_774_656)).toBe('155 GB');
    expect(formatGB(4_096)).toBe('4.1 KB');
  });

  it('writes large counts in words and takes medians', () => {
    expect(formatCompact(6_738_415_616)).toBe('6.74 B');
    expect(formatCompact(4_194_304)).toBe('4.19 M');
    expect(formatCompact(512)).toBe('512');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
