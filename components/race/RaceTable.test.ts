import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RaceTable } from './RaceTable';
import { rankResults } from './race-lanes';
import type { LaneResult } from './race-url';

const rows: LaneResult[] = [
  { method: 'bitfit', status: 'finished', backend: 'wasm', steps: 300, accuracy: 0.5, targetSeconds: null, targetStep: null, msPerStep: 18.5, trainable: 1000, peakBytes: 2048 },
  { method: 'lora', status: 'finished', backend: 'wasm', steps: 300, accuracy: 0.8125, targetSeconds: 12.3, targetStep: 120, msPerStep: 21.5, trainable: 2048, peakBytes: 3 * 1024 ** 2 },
  { method: 'ia3', status: 'error', backend: 'cpu', steps: 37, accuracy: null, targetSeconds: null, targetStep: null, msPerStep: null, trainable: 96, peakBytes: null },
];

/** The text of each body row's cells. */
function bodyCells(html: string): string[][] {
  const body = html.slice(html.indexOf('<tbody>'));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((row) => [...(row[1] as string).matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => (c[1] as string).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()));
}

describe('the final table', () => {
  it('shows ranked rows with units, "not reached" and dashes, never NaN', () => {
    const html = renderToStaticMarkup(createElement(RaceTable, { rows: rankResults(rows), total: 100_000, target: 0.75, caption: 'c' }));
    expect(html).toContain('Time to 75.0%');
    expect(html).not.toContain('NaN');
    expect(bodyCells(html)).toEqual([
      ['1', 'LoRA finished · WASM', '81.3%', '12.3 s step 120', '21.5', '2,048 2.0%', '3.00 MiB'],
      ['2', 'BitFit finished · WASM', '50.0%', 'not reached', '18.5', '1,000 1.0%', '2.0 KiB'],
      ['3', '(IA)³ failed at step 37 · CPU', '–', 'not reached', '–', '96 0.096%', '–'],
    ]);
  });
});
