import { describe, expect, it } from 'vitest';
import { readableView, viewTransform } from './view';

const drawing = { width: 1100, height: 800 };

describe("the map's starting view", () => {
  it('shows the whole drawing when labels are legible at that size', () => {
    expect(readableView({ width: 1120, height: 815 }, drawing, 13, 11.5, 8)).toEqual({ k: 1, x: 0, y: 0 });
  });

  it('zooms in around the centre on a phone until labels reach the minimum size', () => {
    const view = readableView({ width: 343, height: 459 }, drawing, 13, 11.5, 8);
    const fit = 343 / 1100;
    expect(13 * fit * view.k).toBeCloseTo(11.5);
    // The drawing's centre stays where it was: k·c + t = c.
    expect(view.k * 550 + view.x).toBeCloseTo(550);
    expect(view.k * 400 + view.y).toBeCloseTo(400);
  });

  it('never zooms past the maximum, nor for a box that has no size yet', () => {
    expect(readableView({ width: 50, height: 50 }, drawing, 13, 11.5, 8).k).toBe(8);
    expect(readableView({ width: 0, height: 0 }, drawing, 13, 11.5, 8)).toEqual({ k: 1, x: 0, y: 0 });
  });

  it('writes an SVG transform', () => {
    expect(viewTransform({ k: 2, x: -550, y: -400 })).toBe('translate(-550,-400) scale(2)');
  });
});
