import { describe, expect, it } from 'vitest';
import type { ToyRow } from '@/lib/datasets/toy-benchmark';
import { toyResultsFrom } from './guide-toy';

const row = (method: string, task: ToyRow['task'], mean: number, std: number, n: number): Pick<ToyRow, 'method' | 'task'> & { summary: Pick<ToyRow['summary'], 'finalMetric'> } => ({
  method,
  task,
  summary: { finalMetric: { mean, std, n } },
});

describe('toyResultsFrom', () => {
  it('keeps each method’s held-out exact match per task, sorted by task, and leaves unmeasured methods out', () => {
    const rows = [row('lora', 'topic', 0.85, 0.03, 3), row('adapters', 'topic', 0.9, 0.01, 3), row('lora', 'echo', 0.5, 0.1, 2), row('lora', 'topic', 0.1, 0, 1)];
    const toy = toyResultsFrom({ rows: rows as unknown as ToyRow[] });
    expect(toy).toEqual({
      lora: [
        { task: 'echo', mean: 0.5, std: 0.1, n: 2 },
        { task: 'topic', mean: 0.85, std: 0.03, n: 3 },
      ],
      adapters: [{ task: 'topic', mean: 0.9, std: 0.01, n: 3 }],
    });
    expect(toy['prompt-tuning']).toBeUndefined();
  });
});
