import { describe, expect, it } from 'vitest';
import type { FromWorker } from '@/lib/peft/train/protocol';
import { LANE_STYLES, applyMessages, evalTable, isDone, laneResult, newLane, rankResults, sharingNote, type TimedMessage } from './race-lanes';
import type { LaneResult } from './race-url';

const TARGET = 0.75;

function progress(step: number, loss: number, msPerStep: number, bytes: number, accuracy?: number): FromWorker {
  return { type: 'progress', step, loss, learningRate: 1e-3, msPerStep, tensors: 40, bytes, eval: accuracy === undefined ? null : { loss, accuracy } };
}

const at = (seconds: number, message: FromWorker): TimedMessage => ({ message, seconds });

/** A 30-step lane that reaches the target at step 20 (3.5 s) and ends at 0.8125. */
const RUN: TimedMessage[] = [
  at(1, { type: 'backend', backend: 'wasm', skipped: [{ backend: 'webgpu', reason: 'no adapter' }] }),
  at(1.5, { type: 'ready', trainable: 2048, total: 100_000, baseline: { loss: 4, accuracy: 0 }, samples: [] }),
  at(2, progress(10, 2.0, 30, 1000, 0.5)),
  ...Array.from({ length: 9 }, (_, i) => at(2 + i * 0.1, progress(11 + i, 1.5, 10 + i, 1200))),
  at(3.5, progress(20, 1.0, 50, 1100, 0.78)),
  at(4, progress(30, 0.5, 20, 1000, 0.7)),
  at(4.2, { type: 'finished', stopped: false, final: { loss: 0.5, accuracy: 0.8125 }, samples: [], peakBytes: 1500, steps: 30 }),
];

describe('a race lane', () => {
  it('folds its worker messages into readouts and series', () => {
    const lane = applyMessages(newLane('lora'), RUN, TARGET);
    expect(lane).toMatchObject({ phase: 'finished', backend: 'wasm', trainable: 2048, total: 100_000, step: 30, loss: 0.5, accuracy: 0.8125, bytes: 1000, endSeconds: 4.2 });
    expect(lane.skipped).toEqual([{ backend: 'webgpu', reason: 'no adapter' }]);
    // The baseline at step 0, every evaluation, and the final one replacing step 30's.
    expect(lane.accuracies.map((p) => [p.step, p.value])).toEqual([
      [0, 0],
      [10, 0.5],
      [20, 0.78],
      [30, 0.8125],
    ]);
    expect(lane.losses).toHaveLength(12);
    expect(lane.losses[0]).toEqual({ step: 10, seconds: 2, value: 2 });
    // The worker's own peak (1500) beats any progress reading (1200).
    expect(lane.peakBytes).toBe(1500);
    expect(isDone(lane)).toBe(true);
  });

  it('does not change the lane it was given', () => {
    const start = newLane('lora');
    applyMessages(start, RUN, TARGET);
    expect(start).toEqual(newLane('lora'));
  });

  it('gives its line of the final table: first time at target, median of every step time', () => {
    const lane = applyMessages(newLane('lora'), RUN, TARGET);
    expect(laneResult(lane)).toEqual({
      method: 'lora',
      status: 'finished',
      backend: 'wasm',
      steps: 30,
      accuracy: 0.8125,
      // Step 20's evaluation was the first at or above 0.75; step 30's drop to 0.7 does not undo it.
      targetSeconds: 3.5,
      targetStep: 20,
      // 12 step times: 30, 10..18, 50, 20 → sorted middle pair 15 and 16.
      msPerStep: 15.5,
      trainable: 2048,
      peakBytes: 1500,
    });
  });

  it('reports a target not reached, and a stopped run as stopped', () => {
    const lane = applyMessages(newLane('bitfit'), [RUN[1] as TimedMessage, at(2, progress(10, 2, 5, 10, 0.2)), at(3, { type: 'finished', stopped: true, final: { loss: 2, accuracy: 0.25 }, samples: [], peakBytes: 10, steps: 14 })], TARGET);
    expect(laneResult(lane)).toMatchObject({ status: 'stopped', steps: 14, accuracy: 0.25, targetSeconds: null, targetStep: null, msPerStep: 5 });
    expect(lane.accuracies.map((p) => p.step)).toEqual([0, 10, 14]);
  });

  it('ends on a diverged run with its message and ignores later messages', () => {
    const lane = applyMessages(
      newLane('ia3'),
      [RUN[1] as TimedMessage, at(2, progress(10, 3, 5, 10, 0.1)), at(2.5, { type: 'error', message: 'The loss became NaN at step 11.', diverged: true }), at(3, progress(12, 1, 5, 10))],
      TARGET,
    );
    expect(lane).toMatchObject({ phase: 'error', step: 10, error: 'The loss became NaN at step 11. The run was stopped; the others race on.', endSeconds: 2.5 });
    expect(laneResult(lane)).toMatchObject({ status: 'error', accuracy: null, steps: 10 });
  });

  it('keeps a NaN loss or step time out of the series and the median', () => {
    const lane = applyMessages(newLane('lora'), [at(1, progress(1, NaN, NaN, 10)), at(2, progress(2, 1, 8, 10))], TARGET);
    expect(lane.losses.map((p) => p.value)).toEqual([1]);
    expect(laneResult(lane).msPerStep).toBe(8);
  });

  it('counts a base model already at the target as reaching it at step 0', () => {
    const lane = applyMessages(newLane('lora'), [at(1.25, { type: 'ready', trainable: 1, total: 2, baseline: { loss: 1, accuracy: 0.9 }, samples: [] })], TARGET);
    expect(lane.reached).toEqual({ step: 0, seconds: 1.25 });
  });
});

describe('the charts as a table', () => {
  it('has a row per evaluated step with each lane\'s exact match and loss, blank where a lane has none', () => {
    const a = applyMessages(newLane('lora'), RUN, TARGET);
    const b = applyMessages(newLane('bitfit'), [RUN[1] as TimedMessage, at(2, progress(10, 2.5, 5, 10, 0.25)), at(3, progress(15, 2.2, 5, 10))], TARGET);
    expect(evalTable([a, b])).toEqual([
      { step: 0, cells: [{ accuracy: 0, loss: null }, { accuracy: 0, loss: null }] },
      { step: 10, cells: [{ accuracy: 0.5, loss: 2 }, { accuracy: 0.25, loss: 2.5 }] },
      { step: 20, cells: [{ accuracy: 0.78, loss: 1 }, { accuracy: null, loss: null }] },
      { step: 30, cells: [{ accuracy: 0.8125, loss: 0.5 }, { accuracy: null, loss: null }] },
    ]);
  });
});

describe('the final ranking', () => {
  const base: Omit<LaneResult, 'method' | 'accuracy' | 'targetSeconds' | 'targetStep' | 'msPerStep'> = { status: 'finished', backend: 'wasm', steps: 300, trainable: 1, peakBytes: 1 };
  const row = (method: string, accuracy: number | null, targetSeconds: number | null, msPerStep: number | null, status: LaneResult['status'] = 'finished'): LaneResult => ({
    ...base,
    method,
    status,
    accuracy,
    targetSeconds,
    targetStep: targetSeconds === null ? null : 10,
    msPerStep,
  });

  it('ranks by final exact match, then time to target, then ms/step; failed runs last', () => {
    const ranked = rankResults([row('a', 0.5, null, 10), row('failed', null, null, 5, 'error'), row('b', 0.8, 20, 10), row('c', 0.8, 12, 30), row('d', 0.8, null, 1), row('e', 0.5, null, 9)]);
    expect(ranked.map((r) => [r.method, r.rank])).toEqual([
      ['c', 1],
      ['b', 2],
      ['d', 3],
      ['e', 4],
      ['a', 5],
      ['failed', 6],
    ]);
  });

  it('gives a full tie one rank and keeps the race order within it', () => {
    const ranked = rankResults([row('x', 0.5, 3, 10), row('y', 0.5, 3, 10), row('z', 0.25, null, 10)]);
    expect(ranked.map((r) => [r.method, r.rank])).toEqual([
      ['x', 1],
      ['y', 1],
      ['z', 3],
    ]);
  });
});

describe('fairness notes and lane styles', () => {
  it('says when workers share cores', () => {
    expect(sharingNote(2, 4)).toBe('4 workers share 2 cores here, so each runs slower than it would alone: ms/step compares the methods with each other, not with other machines.');
    expect(sharingNote(8, 3)).toMatch(/^3 workers on 8 cores: each can have a core/);
    expect(sharingNote(undefined, 2)).toMatch(/^The 2 workers share however many cores/);
  });

  it('has six distinct colours and dash patterns', () => {
    expect(LANE_STYLES).toHaveLength(6);
    expect(new Set(LANE_STYLES.map((s) => s.color)).size).toBe(6);
    expect(new Set(LANE_STYLES.map((s) => s.dash)).size).toBe(6);
  });
});
