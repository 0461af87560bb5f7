import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominates, paretoFront } from './pareto';

const pt = (id: string, x: number, y: number) => ({ id, x, y });
const ids = (ps: readonly { id: string }[]) => ps.map((p) => p.id);

describe('paretoFront over (cost ↓, quality ↑)', () => {
  it('keeps the non-dominated points, cheapest first, and drops the dominated ones', () => {
    const points = [pt('full', 100_000, 1.0), pt('lora', 4_000, 0.85), pt('adapters', 4_400, 0.95), pt('bitfit', 600, 0.4), pt('worse', 5_000, 0.8), pt('prompt', 1_000, 0.3)];
    // worse: lora is cheaper and better; prompt: bitfit is cheaper and better.
    expect(ids(paretoFront(points))).toEqual(['bitfit', 'lora', 'adapters', 'full']);
  });

  it('drops a point that only ties on one axis and loses on the other', () => {
    expect(ids(paretoFront([pt('a', 10, 0.5), pt('same-cost-worse', 10, 0.4), pt('same-quality-dearer', 20, 0.5)]))).toEqual(['a']);
  });

  it('keeps both of two identical points (neither dominates the other)', () => {
    expect(ids(paretoFront([pt('a', 10, 0.5), pt('b', 10, 0.5), pt('c', 50, 0.4)]))).toEqual(['a', 'b']);
  });

  it('orders equal-cost front points by quality so a step line never turns back', () => {
    const front = paretoFront([pt('hi', 10, 0.9), pt('lo', 10, 0.9)]);
    expect(front.map((p) => p.y)).toEqual([0.9, 0.9]);
  });

  it('leaves out points with a non-finite coordinate and handles no points', () => {
    expect(ids(paretoFront([pt('nan', NaN, 1), pt('inf', 5, Infinity), pt('ok', 5, 0.5)]))).toEqual(['ok']);
    expect(paretoFront([])).toEqual([]);
  });

  it('dominates needs one strict improvement', () => {
    expect(dominates({ x: 1, y: 1 }, { x: 1, y: 1 })).toBe(false);
    expect(dominates({ x: 1, y: 1 }, { x: 2, y: 1 })).toBe(true);
    expect(dominates({ x: 1, y: 1 }, { x: 1, y: 0.5 })).toBe(true);
    expect(dominates({ x: 1, y: 0.5 }, { x: 2, y: 1 })).toBe(false);
  });

  it('property: no front point is dominated, every other point is, and the front rises with cost', () => {
    const arbPoint = fc.record({ x: fc.integer({ min: 1, max: 50 }), y: fc.integer({ min: 0, max: 10 }).map((v) => v / 10) });
    fc.assert(
      fc.property(fc.array(arbPoint, { maxLength: 30 }), (raw) => {
        const points = raw.map((p, i) => ({ ...p, id: String(i) }));
        const front = paretoFront(points);
        const onFront = new Set(front.map((p) => p.id));
        for (const p of points) {
          const dominated = points.some((q) => dominates(q, p));
          expect(onFront.has(p.id)).toBe(!dominated);
        }
        for (let i = 1; i < front.length; i++) {
          expect(front[i]!.x).toBeGreaterThanOrEqual(front[i - 1]!.x);
          expect(front[i]!.y).toBeGreaterThanOrEqual(front[i - 1]!.y);
        }
      }),
    );
  });
});
