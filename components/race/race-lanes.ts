import { median } from '@/lib/stats';
import type { BackendName, EvalResult, FromWorker } from '@/lib/peft/train/protocol';
import type { LaneResult } from './race-url';

/**
 * One lane of the race per method: the messages of its worker folded into what the page shows,
 * and, at the end, its line of the final table. Pure, so the arithmetic is tested without workers.
 */

export type LanePhase = 'loading' | 'preparing' | 'running' | 'finished' | 'stopped' | 'error';

/** A measurement at a step and at a time (seconds since the race started). */
export interface LanePoint {
  step: number;
  seconds: number;
  value: number;
}

export interface Lane {
  method: string;
  phase: LanePhase;
  backend: BackendName | null;
  skipped: { backend: BackendName; reason: string }[];
  trainable: number | null;
  total: number | null;
  baseline: EvalResult | null;
  step: number;
  loss: number | null;
  accuracy: number | null;
  tensors: number | null;
  bytes: number | null;
  peakBytes: number | null;
  losses: LanePoint[];
  accuracies: LanePoint[];
  /** Every step's time in ms: the median of all of them goes into the table. */
  stepTimes: number[];
  error: string | null;
  /** The first evaluation at or above the task's target. */
  reached: { step: number; seconds: number } | null;
  /** Seconds since the race started when the lane finished, stopped or failed. */
  endSeconds: number | null;
}

export function newLane(method: string): Lane {
  return {
    method,
    phase: 'loading',
    backend: null,
    skipped: [],
    trainable: null,
    total: null,
    baseline: null,
    step: 0,
    loss: null,
    accuracy: null,
    tensors: null,
    bytes: null,
    peakBytes: null,
    losses: [],
    accuracies: [],
    stepTimes: [],
    error: null,
    reached: null,
    endSeconds: null,
  };
}

export function isDone(lane: Lane): boolean {
  return lane.phase === 'finished' || lane.phase === 'stopped' || lane.phase === 'error';
}

/** A worker message with the time it arrived, in seconds since the race started. */
export interface TimedMessage {
  message: FromWorker;
  seconds: number;
}

/**
 * The lane after `messages`, in order. `target` is the task's held-out exact match to reach.
 * Copies the lane once and then appends in place: a frame's worth of messages costs one copy.
 */
export function applyMessages(lane: Lane, messages: readonly TimedMessage[], target: number): Lane {
  if (messages.length === 0) return lane;
  const next: Lane = { ...lane, losses: [...lane.losses], accuracies: [...lane.accuracies], stepTimes: [...lane.stepTimes], skipped: [...lane.skipped] };
  for (const { message, seconds } of messages) apply(next, message, seconds, target);
  return next;
}

function noteAccuracy(lane: Lane, step: number, seconds: number, accuracy: number, target: number) {
  const last = lane.accuracies.at(-1);
  if (last && last.step === step) last.value = accuracy;
  else lane.accuracies.push({ step, seconds, value: accuracy });
  lane.accuracy = accuracy;
  if (lane.reached === null && accuracy >= target) lane.reached = { step, seconds };
}

function apply(lane: Lane, m: FromWorker, seconds: number, target: number): void {
  // A lane that has ended ignores stragglers (a progress message after an error).
  if (isDone(lane)) return;
  switch (m.type) {
    case 'backend':
      lane.backend = m.backend;
      lane.skipped = m.skipped;
      return;
    case 'preparing':
      lane.phase = 'preparing';
      return;
    case 'ready':
      lane.phase = 'running';
      lane.trainable = m.trainable;
      lane.total = m.total;
      lane.baseline = m.baseline;
      noteAccuracy(lane, 0, seconds, m.baseline.accuracy, target);
      return;
    case 'progress':
      lane.phase = 'running';
      lane.step = m.step;
      if (Number.isFinite(m.loss)) {
        lane.loss = m.loss;
        lane.losses.push({ step: m.step, seconds, value: m.loss });
      }
      if (Number.isFinite(m.msPerStep)) lane.stepTimes.push(m.msPerStep);
      lane.tensors = m.tensors;
      lane.bytes = m.bytes;
      lane.peakBytes = Math.max(lane.peakBytes ?? 0, m.bytes);
      if (m.eval) noteAccuracy(lane, m.step, seconds, m.eval.accuracy, target);
      return;
    case 'finished':
      lane.phase = m.stopped ? 'stopped' : 'finished';
      lane.step = m.steps;
      // The worker evaluates once more at the end; a stopped run's last step may not have been evaluated.
      noteAccuracy(lane, m.steps, seconds, m.final.accuracy, target);
      lane.peakBytes = Math.max(lane.peakBytes ?? 0, m.peakBytes);
      lane.endSeconds = seconds;
      return;
    case 'error':
      lane.phase = 'error';
      lane.error = m.diverged ? `${m.message} The run was stopped; the others race on.` : m.message;
      lane.endSeconds = seconds;
      return;
  }
}

/** The lane's line of the final table. */
export function laneResult(lane: Lane): LaneResult {
  const ms = median(lane.stepTimes);
  return {
    method: lane.method,
    status: lane.phase === 'error' ? 'error' : lane.phase === 'stopped' ? 'stopped' : 'finished',
    backend: lane.backend,
    steps: lane.step,
    accuracy: lane.phase === 'error' ? null : lane.accuracy,
    targetSeconds: lane.reached?.seconds ?? null,
    targetStep: lane.reached?.step ?? null,
    msPerStep: Number.isFinite(ms) ? ms : null,
    trainable: lane.trainable,
    peakBytes: lane.peakBytes,
  };
}

export interface RankedResult extends LaneResult {
  /** 1 for the best; methods that tie on every ranked column share a rank. */
  rank: number;
}

/** Nulls last, then ascending or descending. */
function compareNullable(a: number | null, b: number | null, descending: boolean): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return descending ? b - a : a - b;
}

/** Failed runs last, then the higher final exact match, then the sooner to target, then the faster step. */
function compareResults(a: LaneResult, b: LaneResult): number {
  return (
    Number(a.status === 'error') - Number(b.status === 'error') ||
    compareNullable(a.accuracy, b.accuracy, true) ||
    compareNullable(a.targetSeconds, b.targetSeconds, false) ||
    compareNullable(a.msPerStep, b.msPerStep, false)
  );
}

/** The final table in ranked order; the race's own order breaks ties, so the sort is stable. */
export function rankResults(results: readonly LaneResult[]): RankedResult[] {
  const sorted = [...results].sort(compareResults);
  const ranked: RankedResult[] = [];
  for (const [i, r] of sorted.entries()) {
    const prev = ranked[i - 1];
    ranked.push({ ...r, rank: prev && compareResults(prev, r) === 0 ? prev.rank : i + 1 });
  }
  return ranked;
}

/**
 * Each lane's colour (Okabe–Ito, told apart with colour-blindness) and dash pattern, so lines
 * differ in more than colour. Six lanes at most.
 */
export const LANE_STYLES: readonly { color: string; dash: string }[] = [
  { color: '#0072B2', dash: '' },
  { color: '#D55E00', dash: '6 3' },
  { color: '#009E73', dash: '2 3' },
  { color: '#CC79A7', dash: '8 3 2 3' },
  { color: '#E69F00', dash: '12 4' },
  { color: '#56B4E9', dash: '3 2 3 6' },
];

export function laneStyle(index: number): { color: string; dash: string } {
  return LANE_STYLES[index % LANE_STYLES.length] as { color: string; dash: string };
}

/**
 * What the reader should know about ms/step: workers share the CPU when there are more of them
 * than cores (`cores` is navigator.hardwareConcurrency, absent in some browsers).
 */
export function sharingNote(cores: number | undefined, lanes: number): string {
  if (cores === undefined || !Number.isFinite(cores) || cores < 1) {
    return `The ${lanes} workers share however many cores this device has, so ms/step compares the methods with each other, not with other machines.`;
  }
  if (cores < lanes) {
    return `${lanes} workers share ${cores} cores here, so each runs slower than it would alone: ms/step compares the methods with each other, not with other machines.`;
  }
  return `${lanes} workers on ${cores} cores: each can have a core, but they still share memory bandwidth (and the GPU, on WebGL or WebGPU), so ms/step is relative.`;
}

export interface EvalRow {
  step: number;
  /** Per lane, in race order: its held-out exact match and training loss at this step, if it has them. */
  cells: { accuracy: number | null; loss: number | null }[];
}

/** The charts as a table: one row per evaluated step of any lane, a cell per lane. */
export function evalTable(lanes: readonly Lane[]): EvalRow[] {
  const steps = [...new Set(lanes.flatMap((l) => l.accuracies.map((p) => p.step)))].sort((a, b) => a - b);
  const byLane = lanes.map((l) => ({
    accuracy: new Map(l.accuracies.map((p) => [p.step, p.value])),
    loss: new Map(l.losses.map((p) => [p.step, p.value])),
  }));
  return steps.map((step) => ({ step, cells: byLane.map((m) => ({ accuracy: m.accuracy.get(step) ?? null, loss: m.loss.get(step) ?? null })) }));
}
