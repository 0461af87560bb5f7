import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FromWorker } from '@/lib/peft/train/protocol';
import { Race } from './Race';
import { RaceCharts } from './RaceCharts';
import { applyMessages, newLane, type TimedMessage } from './race-lanes';

const progress = (step: number, loss: number, accuracy?: number): FromWorker => ({
  type: 'progress',
  step,
  loss,
  learningRate: 1e-3,
  msPerStep: 10,
  tensors: 1,
  bytes: 1,
  eval: accuracy === undefined ? null : { loss, accuracy },
});

describe('the race as the server renders it', () => {
  it('shows the default setup with Start disabled until the address has been read', () => {
    const html = renderToStaticMarkup(createElement(Race));
    expect([...html.matchAll(/<li data-method="([^"]+)"/g)].map((m) => m[1])).toEqual(['full-fine-tuning', 'lora', 'bitfit']);
    expect(html).toMatch(/<button type="submit" data-testid="race-start"[^>]*disabled=""/);
    expect(html).toContain('data-loaded="false"');
    expect(html).toContain('Target: 75.0% held-out exact match.');
    // A class-head method is offered on the default (classification) task.
    expect(html).toContain('<option value="warp">WARP</option>');
    expect(html).not.toContain('NaN');
  });
});

describe('the race charts', () => {
  it('draw one loss and one exact-match line per lane, with the target line', () => {
    const run = (accuracies: number[]): TimedMessage[] => [
      { seconds: 1, message: { type: 'ready', trainable: 1, total: 2, baseline: { loss: 4, accuracy: 0 }, samples: [] } },
      ...accuracies.map((a, i) => ({ seconds: 2 + i, message: progress((i + 1) * 10, 3 - i, a) })),
    ];
    const lanes = [applyMessages(newLane('lora'), run([0.5, 0.8]), 0.75), applyMessages(newLane('bitfit'), run([0.25]), 0.75)];
    const html = renderToStaticMarkup(createElement(RaceCharts, { lanes, steps: 20, target: 0.75 }));
    const paths = [...html.matchAll(/<path d="([^"]*)"[^>]*stroke="([^"]+)"/g)].map((m) => ({ d: m[1] as string, stroke: m[2] }));
    expect(paths.map((p) => p.stroke)).toEqual(['#0072B2', '#D55E00', '#0072B2', '#D55E00']);
    // Loss: 2 and 1 points; exact match: baseline plus evaluations (3 and 2 points).
    expect(paths.map((p) => (p.d.match(/[ML]/g) ?? []).length)).toEqual([2, 1, 3, 2]);
    expect(html).toContain('target 75.0%');
    expect(html).not.toContain('NaN');
  });
});
