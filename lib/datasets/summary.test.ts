import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';
import { spread, summarise } from './summary';
import type { ToyRun } from './toy-benchmark';

const run = (seed: number, finalMetric: number, stepsToTarget: number | null, ms: number, peak = 1000): ToyRun => ({
  seed,
  finalMetric,
  finalLoss: 0.1,
  stepsToTarget,
  secondsToTarget: stepsToTarget === null ? null : stepsToTarget / 10,
  seconds: 30,
  msPerStepMedian: ms,
  peakTensorBytes: peak,
});

describe('spread', () => {
  it('is the mean and the sample (n − 1) standard deviation', () => {
    // mean 5; squared deviations 9 + 1 + 1 + 9 = 20; 20 / 3 = 6.667; sqrt = 2.5820
    expect(spread([2, 4, 6, 8])).toEqual({ mean: 5, std: 2.582, n: 4 });
  });
  it('has std 0 for one value and is null for none', () => {
    expect(spread([0.75])).toEqual({ mean: 0.75, std: 0, n: 1 });
    expect(spread([])).toBeNull();
  });
});

describe('summarise', () => {
  it('summarises every run, and steps/seconds to target over the runs that reached it', () => {
    const s = summarise([run(0, 0.9, 100, 80, 500), run(1, 0.7, null, 90, 700), run(2, 0.8, 200, 100, 600)]);
    expect(s.finalMetric).toEqual({ mean: 0.8, std: 0.1, n: 3 });
    expect(s.msPerStep).toEqual({ mean: 90, std: 10, n: 3 });
    expect(s.reached).toBe(2);
    expect(s.stepsToTarget).toEqual({ mean: 150, std: 70.7107, n: 2 });
    expect(s.secondsToTarget).toEqual({ mean: 15, std: 7.0711, n: 2 });
    expect(s.peakTensorBytes).toBe(700);
  });
  it('has no steps to target when no run reached it', () => {
    const s = summarise([run(0, 0.1, null, 80)]);
    expect([s.reached, s.stepsToTarget, s.secondsToTarget]).toEqual([0, null, null]);
  });
  it('refuses no runs', () => {
    expect(() => summarise([])).toThrow(/at least one run/);
  });
});

describe('CSV', () => {
  it('quotes fields with commas, quotes and line breaks, and leaves null empty', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(0)).toBe('0');
  });
  it('writes a header and one line per row', () => {
    const text = toCsv<{ a: number; b: string }>([['a', (r) => r.a], ['b', (r) => r.b]], [{ a: 1, b: 'x, y' }]);
    expect(text).toBe('a,b\n1,"x, y"\n');
  });
});
