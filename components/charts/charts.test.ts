import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LogBars } from './LogBars';
import { placeLabels } from './ScatterChart';
import { StackedBars } from './StackedBars';
import { tickAnchor, tickLabel } from './axis';

const gb = (v: number) => `${(v / 1e9).toFixed(1)} GB`;

/** The attributes of every element named `tag` in an SVG string. */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

describe('bar charts', () => {
  const stacked = renderToStaticMarkup(
    createElement(StackedBars, {
      title: 'memory',
      format: gb,
      segments: [
        { key: 'a', label: 'weights', color: '#111' },
        { key: 'b', label: 'activations', color: '#222' },
      ],
      bars: [
        { label: 'LoRA', values: { a: 20e9, b: 5e9 } },
        { label: 'Full fine-tuning', values: { a: 60e9, b: 40e9 } },
      ],
    }),
  );

  it('draw at the size they are shown (no viewBox), so text keeps its font size on a phone', () => {
    expect(stacked).not.toContain('viewBox');
    const sizes = elements(stacked, 'text').map((t) => Number(t['font-size']));
    expect(sizes.length).toBeGreaterThan(4);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
  });

  it('lay out horizontal positions in percent of the width, segments end to end', () => {
    const rects = elements(stacked, 'rect').map((r) => ({ x: parseFloat(r.x!), width: parseFloat(r.width!) }));
    // Domain [0, 100 GB] (nice): LoRA's 20 + 5 GB end at 25%, full fine-tuning's 60 + 40 GB at 100%.
    expect(rects.map((r) => r.x)).toEqual([0, 20, 0, 60]);
    expect(rects[1]!.x + rects[1]!.width).toBeCloseTo(25);
    expect(rects[3]!.x + rects[3]!.width).toBeCloseTo(100);
    for (const r of elements(stacked, 'rect')) expect(r.x).toMatch(/%$/);
  });

  it('put each bar’s value next to its label, and round numbers on the axis', () => {
    expect(stacked).toMatch(/LoRA<tspan[^>]*>25\.0 GB<\/tspan>/);
    const ticks = elements(stacked, 'text').filter((t) => t['text-anchor'] !== undefined);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(stacked).toContain('>100 GB<');
    expect(stacked).not.toMatch(/>\d+\.0 GB<\/text>/);
  });

  it('log bars span the decades of their values and label every bar', () => {
    const svg = renderToStaticMarkup(
      createElement(LogBars, {
        title: 'trainable',
        color: '#00f',
        format: (v: number) => String(v),
        bars: [
          { label: 'BitFit', value: 1e5 },
          { label: 'Full', value: 1e9 },
        ],
      }),
    );
    const widths = elements(svg, 'rect').map((r) => parseFloat(r.width!));
    expect(widths[1]).toBeCloseTo(100);
    // The axis starts at half of min(values, 1,000), rounded down to 100: 1e5 is 3 of the 7 decades to 1e9.
    expect(widths[0]! / widths[1]!).toBeCloseTo(3 / 7, 3);
    expect(svg).toContain('BitFit');
  });
});

describe('axis helpers', () => {
  it('keeps end ticks inside the chart', () => {
    expect([0, 3, 50, 97, 100].map(tickAnchor)).toEqual(['start', 'start', 'middle', 'end', 'end']);
  });
  it('writes ticks without trailing zeros', () => {
    const as = (s: string) => () => s;
    expect(['50.0 GB', '1.00 M', '2.50 M', '100 GB', '1.05 K'].map((s) => tickLabel(as(s), 0))).toEqual(['50 GB', '1 M', '2.5 M', '100 GB', '1.05 K']);
  });
});

describe('scatter labels', () => {
  it('separates labels of points that sit on one spot by a line each, and ends (rounding included)', () => {
    const at = (label: string) => ({ label, x: 4_194_304, y: 45.5e9, px: 741.3371, py: 291.0172 });
    const placed = placeLabels([at('LoRA'), at('PiSSA'), at('ReLoRA'), at('AdaLoRA')], 1029);
    const baselines = placed.map((p) => p.ly).sort((a, b) => a - b);
    for (let i = 1; i < baselines.length; i++) expect(baselines[i]! - baselines[i - 1]!).toBeCloseTo(16, 6);
    expect(placed.every((p) => p.anchor === 'start')).toBe(true);
  });

  it('puts a label left of its point near the right edge', () => {
    const [p] = placeLabels([{ label: 'a long method name', x: 1, y: 1, px: 1000, py: 50 }], 1029);
    expect(p?.anchor).toBe('end');
  });
});
