import { describe, expect, it } from 'vitest';
import { fixed, formatBinaryBytes, formatCompactCount, formatMeanStd, formatRelative } from './format';
import { logDomain, pickLogTicks, whisker } from './scales';

describe('logDomain', () => {
  it('pads the extremes', () => {
    const [lo, hi] = logDomain([100, 100_000], 2);
    expect(lo).toBe(50);
    expect(hi).toBe(200_000);
  });

  it('widens a single point or a narrow cluster to a decade around it', () => {
    const [lo, hi] = logDomain([1000]);
    expect(hi / lo).toBeCloseTo(10, 9);
    expect(Math.sqrt(lo * hi)).toBeCloseTo(1000, 6);
  });

  it('ignores values a log axis cannot hold', () => {
    expect(logDomain([0, -5, NaN, Infinity])).toEqual([1, 10]);
    const [lo] = logDomain([0, 1000, 10_000], 1);
    expect(lo).toBe(1000);
  });
});

describe('pickLogTicks', () => {
  it('keeps the powers of ten when there are at least two', () => {
    expect(pickLogTicks([100, 200, 500, 1000, 2000, 5000, 10_000], 7)).toEqual([100, 1000, 10_000]);
  });

  it('falls back to the candidates in a narrow range, thinned to the maximum', () => {
    expect(pickLogTicks([300, 400, 500, 600, 700, 800, 900, 1000], 4)).toEqual([300, 500, 700, 900]);
    expect(pickLogTicks([300, 400], 4)).toEqual([300, 400]);
  });
});

describe('whisker', () => {
  it('is mean ± std, clamped to the axis', () => {
    expect(whisker(0.5, 0.1, 0, 1)).toEqual([0.4, 0.6]);
    expect(whisker(0.95, 0.1, 0, 1)).toEqual([0.85, 1]);
    expect(whisker(0.5, NaN, 0, 1)).toEqual([0.5, 0.5]);
  });
});

describe('formats never show NaN or Infinity', () => {
  it('writes a dash for missing values', () => {
    expect(fixed(NaN, 2)).toBe('—');
    expect(formatMeanStd(null, 2)).toBe('—');
    expect(formatMeanStd({ mean: NaN, std: 0, n: 2 }, 2)).toBe('—');
    expect(formatBinaryBytes(Infinity)).toBe('—');
    expect(formatCompactCount(NaN)).toBe('—');
    expect(formatRelative(null)).toBe('—');
  });

  it('writes mean ± std, without the ± for one seed', () => {
    expect(formatMeanStd({ mean: 0.8516, std: 0.0312, n: 3 }, 3)).toBe('0.852 ± 0.031');
    expect(formatMeanStd({ mean: 0.8516, std: 0, n: 1 }, 3)).toBe('0.852');
  });

  it('writes sizes and signed gaps', () => {
    expect(formatBinaryBytes(468_992)).toBe('458.0 KiB');
    expect(formatBinaryBytes(1_259_520)).toBe('1.20 MiB');
    expect(formatCompactCount(104_960)).toBe('105 K');
    expect(formatRelative(0.021)).toBe('+2.1%');
    expect(formatRelative(-0.004)).toBe('−0.4%');
  });
});
