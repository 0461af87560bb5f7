import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import data from '@/content/data/relora-rank.json';
import { ReloraRankChart, rankBound } from './ReloraRankChart';

describe('the ReLoRA rank chart', () => {
  it('bounds k merges of rank r by k·r, and by the smaller side of the matrix', () => {
    expect(rankBound(3, 4, 64, 256)).toBe(12);
    expect(rankBound(20, 4, 64, 256)).toBe(64);
    expect(rankBound(0, 4, 64, 64)).toBe(0);
  });

  it('draws two markers per weight and merge (rank and 90% rank), one per weight in the legend, from data whose ranks respect the bound', () => {
    const html = renderToStaticMarkup(createElement(ReloraRankChart));
    expect(html).toContain(`role="img"`);
    expect([...html.matchAll(/<(circle|rect)\b/g)]).toHaveLength(2 * data.points.length * data.matrices.length + data.matrices.length);
    for (const p of data.points) {
      p.matrices.forEach((m, i) => {
        const { rows, cols } = data.matrices[i]!;
        expect(m.rank).toBeLessThanOrEqual(rankBound(p.merges, data.settings.r, rows, cols));
        expect(m.rank90).toBeLessThanOrEqual(m.rank);
        expect(m.singularValues).toHaveLength(Math.min(rows, cols));
      });
    }
    // The point of the method: the merged change ends well above one update's rank.
    expect(Math.min(...data.points.at(-1)!.matrices.map((m) => m.rank))).toBeGreaterThan(2 * data.settings.r);
  });
});
