import { describe, expect, it } from 'vitest';
import { ROWS, TOLERANCE, validationResults } from './cost-validation';

const results = validationResults();

describe('the cost model against published measurements (content/data/cost-validation.json)', () => {
  it('has at least 25 reproducible rows from at least five sources', () => {
    expect(results.length).toBeGreaterThanOrEqual(25);
    const publishers = new Set(results.map((r) => new URL(r.row.source.url).pathname.split('/').slice(1, 3).join('/')));
    expect(publishers.size).toBeGreaterThanOrEqual(5);
  });

  it.each(results.map((r) => [r.row.id, r]))('%s', (_, r) => {
    const pct = (100 * r.error).toFixed(1);
    if (r.within) expect(Math.abs(r.error), `${r.row.id}: ${pct}%`).toBeLessThanOrEqual(TOLERANCE);
    else expect(r.row.miss, `${r.row.id} misses by ${pct}% and needs a "miss" explanation`).toBeTruthy();
  });

  // The goal is 80%; the model reaches about half today and /about/cost-model/ explains
  // every miss. The floor keeps a change from silently making the fit worse.
  it('keeps at least half of the rows within 10%', () => {
    const share = results.filter((r) => r.within).length / results.length;
    expect(share).toBeGreaterThanOrEqual(0.5);
  });

  it('gives a reason for every row it cannot reproduce', () => {
    for (const row of ROWS.filter((r) => !r.reproducible)) expect(row.reproducible_reason, row.id).toBeTruthy();
  });
});
