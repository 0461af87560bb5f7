import { describe, expect, it } from 'vitest';
import type { ToyRow } from '@/lib/datasets/toy-benchmark';
import { compareNullsLast, nextSort } from './sort';
import { filterToy, sortToy, tasksWithRows, toToyPoints, type ToyPoint } from './toy-view';

/** A schema-shaped row with two seeds; `reached` runs reach the target. */
function row(method: string, task: ToyRow['task'], trainable: number, metric: number, reached: 0 | 1 | 2, seconds = 10): ToyRow {
  const runs = [0, 1].map((seed) => ({
    seed,
    finalMetric: metric,
    finalLoss: 0.1,
    stepsToTarget: seed < reached ? 100 + seed * 20 : null,
    secondsToTarget: seed < reached ? seconds + seed : null,
    seconds: 30,
    msPerStepMedian: 50,
    peakTensorBytes: 400_000 + trainable,
  }));
  const reachedRuns = runs.filter((r) => r.stepsToTarget !== null);
  return {
    method,
    task,
    config: {},
    learningRate: 5e-3,
    trainable,
    total: 104_960,
    baseMetric: 0,
    runs,
    summary: {
      finalMetric: { mean: metric, std: 0.01, n: 2 },
      msPerStep: { mean: 50, std: 1, n: 2 },
      reached,
      stepsToTarget: reachedRuns.length ? { mean: 110, std: 14.1421, n: reachedRuns.length } : null,
      secondsToTarget: reachedRuns.length ? { mean: seconds + 0.5, std: 0.7071, n: reachedRuns.length } : null,
      peakTensorBytes: 400_000 + trainable,
    },
    provenance: { source: 'test fixture' },
  };
}

const META: Record<string, { name: string; category: string }> = {
  'full-fine-tuning': { name: 'Full fine-tuning', category: 'baseline' },
  lora: { name: 'LoRA', category: 'reparametrization' },
  adapters: { name: 'Adapters', category: 'additive' },
  bitfit: { name: 'BitFit', category: 'selective' },
};

const rows = [
  row('full-fine-tuning', 'topic', 104_960, 1, 2, 20),
  row('lora', 'topic', 4_096, 0.85, 1, 5),
  row('adapters', 'topic', 4_384, 0.95, 2, 8),
  row('bitfit', 'topic', 600, 0.4, 0),
  row('lora', 'pair', 4_096, 0.7, 0),
  row('mystery', 'topic', 50, 0.1, 0),
];
const points: ToyPoint[] = toToyPoints(rows, (id) => META[id]);
const order = (ps: readonly ToyPoint[]) => ps.map((p) => p.method);

describe('toToyPoints', () => {
  it('copies the summary into plain numbers with the name and category', () => {
    const lora = points.find((p) => p.method === 'lora' && p.task === 'topic')!;
    expect(lora).toMatchObject({ name: 'LoRA', category: 'reparametrization', trainable: 4_096, reached: 1, runs: 2, peakTensorBytes: 404_096 });
    expect(lora.finalMetric).toEqual({ mean: 0.85, std: 0.01, n: 2 });
    expect(lora.secondsToTarget).toEqual({ mean: 5.5, std: 0.7071, n: 1 });
  });

  it('keeps the id as the name of a method the lookup does not know', () => {
    expect(points.find((p) => p.method === 'mystery')).toMatchObject({ name: 'mystery', category: 'uncategorised' });
  });

  it('yields JSON-serialisable points (they cross to a client component)', () => {
    expect(JSON.parse(JSON.stringify(points))).toEqual(points);
  });
});

describe('filterToy and tasksWithRows', () => {
  it('keeps the selected task and categories only', () => {
    const shown = filterToy(points, { task: 'topic', categories: ['baseline', 'additive'] });
    expect(order(shown).sort()).toEqual(['adapters', 'full-fine-tuning']);
    expect(filterToy(points, { task: 'pair', categories: ['reparametrization'] }).map((p) => p.finalMetric.mean)).toEqual([0.7]);
    expect(filterToy(points, { task: 'topic', categories: [] })).toEqual([]);
  });

  it('lists the tasks that have rows, in the given order', () => {
    expect(tasksWithRows(points, ['echo', 'pair', 'topic', 'stray'])).toEqual(['pair', 'topic']);
    expect(tasksWithRows([], ['topic'])).toEqual([]);
  });
});

describe('sortToy', () => {
  const topic = filterToy(points, { task: 'topic', categories: ['baseline', 'additive', 'selective', 'reparametrization'] });

  it('sorts by exact match both ways', () => {
    expect(order(sortToy(topic, 'metric', 'desc'))).toEqual(['full-fine-tuning', 'adapters', 'lora', 'bitfit']);
    expect(order(sortToy(topic, 'metric', 'asc'))).toEqual(['bitfit', 'lora', 'adapters', 'full-fine-tuning']);
  });

  it('sorts by trainable count numerically, not as text', () => {
    expect(order(sortToy(topic, 'trainable', 'asc'))).toEqual(['bitfit', 'lora', 'adapters', 'full-fine-tuning']);
  });

  it('puts methods that never reached the target last in both directions', () => {
    expect(order(sortToy(topic, 'seconds', 'asc'))).toEqual(['lora', 'adapters', 'full-fine-tuning', 'bitfit']);
    expect(order(sortToy(topic, 'seconds', 'desc'))).toEqual(['full-fine-tuning', 'adapters', 'lora', 'bitfit']);
    expect(order(sortToy(topic, 'steps', 'desc')).at(-1)).toBe('bitfit');
  });

  it('sorts the reach rate and breaks ties by name', () => {
    // adapters and full fine-tuning both reached 2 of 2: alphabetical between them.
    expect(order(sortToy(topic, 'reached', 'desc'))).toEqual(['adapters', 'full-fine-tuning', 'lora', 'bitfit']);
  });

  it('does not change its input', () => {
    const before = order(topic);
    sortToy(topic, 'name', 'desc');
    expect(order(topic)).toEqual(before);
  });
});

describe('compareNullsLast and nextSort', () => {
  it('orders numbers, strings and nulls', () => {
    expect([3, null, 1, 2].sort((a, b) => compareNullsLast(a, b, 'asc'))).toEqual([1, 2, 3, null]);
    expect([3, null, 1, 2].sort((a, b) => compareNullsLast(a, b, 'desc'))).toEqual([3, 2, 1, null]);
    expect(['b', 'a', null].sort((a, b) => compareNullsLast(a, b, 'asc'))).toEqual(['a', 'b', null]);
    expect(compareNullsLast(null, null, 'asc')).toBe(0);
  });

  it('flips the same column and starts a new one at its first direction', () => {
    expect(nextSort({ key: 'metric', dir: 'desc' }, 'metric', 'desc')).toEqual({ key: 'metric', dir: 'asc' });
    expect(nextSort({ key: 'metric', dir: 'asc' }, 'metric', 'desc')).toEqual({ key: 'metric', dir: 'desc' });
    expect(nextSort({ key: 'metric', dir: 'asc' }, 'trainable', 'asc')).toEqual({ key: 'trainable', dir: 'asc' });
  });
});
