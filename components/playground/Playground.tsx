'use client';

import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { LineChart } from '@/components/charts/LineChart';
import { MethodUnavailable } from '@/components/content/MethodUnavailable';
import { EMBED_HEADINGS } from '@/lib/content/embed-headings';
import type { PeftMethod } from '@/lib/peft/method-api/types';
import { findPeftMethod, lookupPeftMethod } from '@/lib/peft/registry';
import { TASKS, findTask } from '@/lib/peft/model/tasks';
import { BACKENDS, BACKEND_LABELS, type BackendName, type EvalResult, type FromWorker, type Sample, type ToWorker } from '@/lib/peft/train/protocol';
import { HyperControls } from './HyperControls';
import { formatBytes, formatCount, formatPercent } from '@/components/format';
import { median } from '@/lib/stats';
import { TOY_ARCH, WASM_PATH, WEIGHTS_URL, initialForm, readForm, tasksFor, withTaskValues, type PlaygroundForm } from './settings';

/** The box's heading id: a page's table of contents links to it (lib/content/embed-headings.ts). */
const HEADING_ID = EMBED_HEADINGS.Playground.id;

type Phase = 'idle' | 'starting' | 'running' | 'paused' | 'finished' | 'error';

interface RunState {
  phase: Phase;
  backend: { name: BackendName; skipped: { backend: BackendName; reason: string }[]; reason: string | null } | null;
  /** The first evaluation that reached the task's target: its step and seconds since Start. */
  target: { step: number; seconds: number } | null;
  stoppedAtTarget: boolean;
  trainable: number | null;
  total: number | null;
  baseline: EvalResult | null;
  losses: { x: number; y: number }[];
  accuracies: { x: number; y: number }[];
  stepTimes: number[];
  step: number;
  loss: number | null;
  accuracy: number | null;
  tensors: number | null;
  bytes: number | null;
  peakBytes: number | null;
  samples: Sample[];
  error: string | null;
  stopped: boolean;
  /** The method is working on task data before its first step. */
  preparing: boolean;
}

const EMPTY: RunState = {
  phase: 'idle',
  backend: null,
  target: null,
  stoppedAtTarget: false,
  trainable: null,
  total: null,
  baseline: null,
  losses: [],
  accuracies: [],
  stepTimes: [],
  step: 0,
  loss: null,
  accuracy: null,
  tensors: null,
  bytes: null,
  peakBytes: null,
  samples: [],
  error: null,
  stopped: false,
  preparing: false,
};

/** A worker message, with the seconds since Start when the page received it. */
type Action = { type: 'reset' } | { type: 'starting' } | { type: 'paused'; paused: boolean } | (FromWorker & { seconds?: number });

function reduce(state: RunState, action: Action): RunState {
  switch (action.type) {
    case 'reset':
      return EMPTY;
    case 'starting':
      return { ...EMPTY, phase: 'starting' };
    case 'paused':
      return state.phase === 'running' || state.phase === 'paused' ? { ...state, phase: action.paused ? 'paused' : 'running' } : state;
    case 'backend':
      return { ...state, backend: { name: action.backend, skipped: action.skipped, reason: action.reason ?? null } };
    case 'preparing':
      return { ...state, preparing: true };
    case 'ready':
      return {
        ...state,
        preparing: false,
        phase: 'running',
        trainable: action.trainable,
        total: action.total,
        baseline: action.baseline,
        samples: action.samples,
        accuracies: [{ x: 0, y: action.baseline.accuracy }],
        accuracy: action.baseline.accuracy,
      };
    case 'progress':
      return {
        ...state,
        step: action.step,
        loss: action.loss,
        losses: [...state.losses, { x: action.step, y: action.loss }],
        accuracies: action.eval ? [...state.accuracies, { x: action.step, y: action.eval.accuracy }] : state.accuracies,
        accuracy: action.eval?.accuracy ?? state.accuracy,
        stepTimes: [...state.stepTimes.slice(-49), action.msPerStep],
        tensors: action.tensors,
        bytes: action.bytes,
        peakBytes: Math.max(state.peakBytes ?? 0, action.bytes),
        target: action.targetReached && !state.target ? { step: action.step, seconds: action.seconds ?? 0 } : state.target,
      };
    case 'finished':
      return {
        ...state,
        phase: 'finished',
        stopped: action.stopped,
        stoppedAtTarget: action.stoppedAtTarget === true,
        // A target first reached by the final evaluation (a run whose steps are not a multiple of 10).
        target: state.target ?? (action.target?.reachedAtStep ? { step: action.target.reachedAtStep, seconds: action.seconds ?? 0 } : null),
        accuracy: action.final.accuracy, samples: action.samples, peakBytes: Math.max(state.peakBytes ?? 0, action.peakBytes) };
    case 'error':
      return { ...state, phase: 'error', error: action.diverged ? `${action.message} The run was stopped.` : action.message };
  }
}

/**
 * A real fine-tune of the shipped toy transformer with one method, trained in a Web Worker.
 * TensorFlow.js is loaded by the worker only when the reader presses Start.
 */
export function Playground({ method: methodId }: { method: string }) {
  const found = useMemo(() => lookupPeftMethod(methodId), [methodId]);
  return 'method' in found ? <MethodPlayground method={found.method} /> : <MethodUnavailable what="playground" message={found.error} />;
}

function MethodPlayground({ method }: { method: PeftMethod }) {
  const [form, setForm] = useState<PlaygroundForm>(() => initialForm(method));
  const [backendChoice, setBackendChoice] = useState<BackendName | 'auto'>('auto');
  const [stopAtTarget, setStopAtTarget] = useState(true);
  const startedAt = useRef(0);
  const [run, dispatch] = useReducer(reduce, EMPTY);
  const worker = useRef<Worker | null>(null);
  const read = readForm(method, form);
  const predicted = 'config' in read ? method.trainableParams(TOY_ARCH, read.config) : null;
  const busy = run.phase === 'starting' || run.phase === 'running' || run.phase === 'paused';
  const steps = 'request' in read ? read.request.steps : 0;

  useEffect(() => () => worker.current?.terminate(), []);

  const send = (m: ToWorker) => worker.current?.postMessage(m);

  function start() {
    if (!('request' in read)) return;
    if (!worker.current) {
      worker.current = new Worker(new URL('../../lib/peft/train/worker.ts', import.meta.url), { type: 'module' });
      worker.current.onmessage = (e: MessageEvent<FromWorker>) => dispatch({ ...e.data, seconds: (performance.now() - startedAt.current) / 1000 });
      worker.current.onerror = (e) => dispatch({ type: 'error', message: e.message || 'The training worker failed to start.', diverged: false });
    }
    dispatch({ type: 'starting' });
    startedAt.current = performance.now();
    send({ type: 'start', request: { ...read.request, stopAtTarget }, backend: backendChoice, weightsUrl: WEIGHTS_URL, wasmPath: WASM_PATH });
  }

  function reset() {
    worker.current?.terminate();
    worker.current = null;
    dispatch({ type: 'reset' });
  }

  const msPerStep = median(run.stepTimes);
  const target = findTask(form.task).target;

  return (
    <section data-testid="playground" aria-labelledby={HEADING_ID} className="not-prose my-8 min-w-0 rounded-xl border border-slate-200 p-4 sm:p-6 dark:border-slate-700">
      {/* Same shape as the MDX headings around it, self-link included. */}
      <h2 id={HEADING_ID} className="text-xl font-semibold">
        Try it: fine-tune a toy transformer with {method.name}
        <a className="heading-anchor" href={`#${HEADING_ID}`} aria-hidden="true" tabIndex={-1}>
          #
        </a>
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        A {TOY_ARCH.stacks[0]?.layers}-layer, {TOY_ARCH.hiddenSize}-wide GPT-style model ({formatCount(predictedTotal())} parameters), pretrained on a
        synthetic language, learns a task it has never seen. Training runs in your browser, in a background thread.
      </p>

      <form
        className="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <HyperControls method={method} form={form} disabled={busy} onChange={(hyper) => setForm({ ...form, hyper })} />
        <label className="flex min-w-0 flex-col gap-1 text-sm">
          <span className="font-medium">Task</span>
          <select className="w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600" value={form.task} disabled={busy} onChange={(e) => {
              const task = e.target.value as PlaygroundForm['task'];
              setForm({ ...form, task, hyper: withTaskValues(method, form.hyper, task) });
            }}>
            {tasksFor(method).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <span className="text-xs text-slate-600 dark:text-slate-400">{TASKS.find((t) => t.id === form.task)?.description}</span>
        </label>
        <NumberField label="Steps" value={form.steps} disabled={busy} onChange={(steps) => setForm({ ...form, steps })} />
        <NumberField label="Learning rate" value={form.learningRate} disabled={busy} onChange={(learningRate) => setForm({ ...form, learningRate })} />
        <NumberField label="Batch size" value={form.batchSize} disabled={busy} onChange={(batchSize) => setForm({ ...form, batchSize })} />
        <label className="flex min-w-0 flex-col gap-1 text-sm">
          <span className="font-medium">Backend</span>
          <select data-testid="pg-backend-select" className="w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600" value={backendChoice} disabled={busy} onChange={(e) => setBackendChoice(e.target.value as BackendName | 'auto')}>
            <option value="auto">Automatic (the fastest here, by timing each)</option>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>
                {BACKEND_LABELS[b]}
              </option>
            ))}
          </select>
        </label>

        <div className="flex items-start gap-2 text-sm sm:col-span-2">
          {/* A short accessible name; the explanation is its description (labels such as "Steps" stay unique). */}
          <input type="checkbox" id={`${HEADING_ID}-stop`} aria-describedby={`${HEADING_ID}-stop-help`} data-testid="pg-stop-at-target" className="mt-1" checked={stopAtTarget} disabled={busy} onChange={(e) => setStopAtTarget(e.target.checked)} />
          <p>
            <label htmlFor={`${HEADING_ID}-stop`} className="font-medium">
              Stop at the target
            </label>
            <span id={`${HEADING_ID}-stop-help`}>
              : end the run at the first held-out evaluation that reaches {formatPercent(target)} exact match; the result shown is then that evaluation&apos;s.
              Held-out evaluation runs every 30 steps, and every 10 once the training batches come within 15 points of the target. Untick to train all the
              steps, evaluating every 10.
            </span>
          </p>
        </div>

        <div className="sm:col-span-2">
          {'error' in read ? (
            <p role="alert" data-testid="pg-form-error" className="text-sm font-medium text-red-700 dark:text-red-400">
              {read.error}
            </p>
          ) : (
            <p className="text-sm">
              Trains <strong data-testid="pg-trainable">{formatCount(run.trainable ?? predicted ?? 0)}</strong> of {formatCount(predictedTotal())} parameters (
              {formatPercent((run.trainable ?? predicted ?? 0) / predictedTotal())}).
            </p>
          )}
          <p data-testid="pg-download" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            {DOWNLOAD_NOTE}
          </p>
          <div className="mt-3 flex flex-wrap gap-2">
            <button type="submit" data-testid="pg-start" disabled={busy || 'error' in read} className={BUTTON_PRIMARY}>
              {run.phase === 'finished' || run.phase === 'error' ? 'Run again' : 'Start'}
            </button>
            {(run.phase === 'running' || run.phase === 'paused') && (
              <button type="button" className={BUTTON} onClick={() => { send({ type: run.phase === 'paused' ? 'resume' : 'pause' }); dispatch({ type: 'paused', paused: run.phase !== 'paused' }); }}>
                {run.phase === 'paused' ? 'Resume' : 'Pause'}
              </button>
            )}
            {busy && (
              <button type="button" data-testid="pg-stop" className={BUTTON} onClick={() => send({ type: 'stop' })}>
                Stop
              </button>
            )}
            {run.phase !== 'idle' && (
              <button type="button" className={BUTTON} onClick={reset}>
                Reset
              </button>
            )}
          </div>
        </div>
      </form>

      <div role="status" data-testid="pg-status" className="mt-4 text-sm text-slate-700 dark:text-slate-300">
        {run.phase === 'starting' && !run.backend && 'Loading TensorFlow.js and choosing a backend…'}
        {run.preparing && ' Preparing the method on task data before the first step (source tasks, or scores that pick what to train)…'}
        {run.backend && (
          <span>
            Running on <strong data-testid="pg-backend">{BACKEND_LABELS[run.backend.name]}</strong>
            {run.backend.reason && <span data-testid="pg-backend-reason">: {run.backend.reason}</span>}
            {run.backend.skipped.length > 0 && <> ({run.backend.skipped.map((s) => `${BACKEND_LABELS[s.backend]} skipped: ${s.reason}`).join('; ')})</>}.
          </span>
        )}
        {run.phase === 'paused' && ' Paused.'}
        {run.phase === 'finished' && ` ${run.stopped ? 'Stopped' : 'Finished'} after ${run.step} steps${run.stoppedAtTarget ? ', at the target' : ''}.`}
      </div>
      {run.phase !== 'idle' && (
        <p data-testid="playground-target" data-step={run.target?.step ?? ''} data-seconds={run.target?.seconds ?? ''} className="mt-1 text-sm text-slate-700 dark:text-slate-300">
          {run.target
            ? `Reached the target, ${formatPercent(target)} held-out exact match, at step ${run.target.step}, ${run.target.seconds.toFixed(1)} s after Start${run.stoppedAtTarget ? ' (the run stopped there)' : ''}.`
            : run.phase === 'finished'
              ? `Did not reach the target, ${formatPercent(target)} held-out exact match, in ${run.step} steps.`
              : `Target: ${formatPercent(target)} held-out exact match${stopAtTarget ? ', where the run stops' : ''}.`}
        </p>
      )}
      {run.error && (
        <p role="alert" data-testid="pg-error" className="mt-2 text-sm font-medium text-red-700 dark:text-red-400">
          {run.error}
        </p>
      )}

      {run.phase !== 'idle' && (
        <>
          {/* The training loss of one batch is noisy: the mean of the first and of the last five steps say
              whether a run learned (the browser tests read them). */}
          <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-loss-start={windowMean(run.losses.slice(0, LOSS_WINDOW)) ?? ''} data-loss-end={windowMean(run.losses.slice(-LOSS_WINDOW)) ?? ''}>
            <Readout label="Step" testId="pg-step" value={`${run.step} / ${steps}`} raw={run.step} />
            <Readout label="Training loss" testId="pg-loss" value={run.loss === null ? '–' : run.loss.toFixed(3)} raw={run.loss} />
            <Readout label="Held-out exact match" testId="pg-accuracy" value={run.accuracy === null ? '–' : formatPercent(run.accuracy)} raw={run.accuracy} />
            <Readout label="Base model" testId="pg-baseline" value={run.baseline ? formatPercent(run.baseline.accuracy) : '–'} raw={run.baseline?.accuracy ?? null} />
            <Readout label="ms / step (median)" testId="pg-ms" value={Number.isFinite(msPerStep) ? msPerStep.toFixed(1) : '–'} raw={Number.isFinite(msPerStep) ? msPerStep : null} />
            <Readout label="Trainable parameters" testId="pg-trainable-live" value={run.trainable === null ? '–' : formatCount(run.trainable)} raw={run.trainable} />
            <Readout label="Live tensors" testId="pg-tensors" value={run.tensors === null ? '–' : formatCount(run.tensors)} raw={run.tensors} />
            <Readout label="Tensor memory (peak)" testId="pg-bytes" value={run.peakBytes === null ? '–' : formatBytes(run.peakBytes)} raw={run.peakBytes} />
          </dl>
          <div className="mt-4">
            <LineChart
              title={`Training loss and held-out exact match over ${steps} steps`}
              xLabel="step"
              leftLabel="loss"
              rightLabel="exact match"
              xMax={steps}
              series={[
                { label: 'training loss', color: '#2563eb', points: run.losses, axis: 'left' },
                { label: 'held-out exact match', color: '#16a34a', points: run.accuracies, axis: 'right' },
              ]}
            />
          </div>
        </>
      )}

      {run.samples.length > 0 && (
        <div className="mt-4 overflow-x-auto">
          <table data-testid="pg-samples" className="w-full text-left text-sm">
            <caption className="mb-1 text-left font-medium">Held-out examples, greedy decoding</caption>
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-700">
                <th className="py-1 pr-3">Prompt</th>
                <th className="py-1 pr-3">Expected</th>
                <th className="py-1 pr-3">Base model</th>
                <th className="py-1">Fine-tuned</th>
              </tr>
            </thead>
            <tbody className="font-mono">
              {run.samples.map((s) => (
                <tr key={s.prompt} className="border-b border-slate-100 dark:border-slate-800">
                  <td className="py-1 pr-3">{s.prompt}</td>
                  <td className="py-1 pr-3">{s.expected}</td>
                  <td className="py-1 pr-3">{s.base || '∅'}</td>
                  <td className="py-1">{s.tuned === null ? '…' : s.tuned || '∅'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function predictedTotal(): number {
  return findPeftMethod('full-fine-tuning').trainableParams(TOY_ARCH, {});
}

const BUTTON = 'rounded border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800';
const BUTTON_PRIMARY = 'rounded bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-50';

/** What the first Start downloads, compressed, as `npm run bench:ttt` measured it on the built site
 * (the worker's TensorFlow.js chunk, the WASM binary, the base weights). */
const DOWNLOAD_NOTE = 'Start downloads about 0.9 MB (compressed) the first time: TensorFlow.js, its WebAssembly binary and the base model’s weights.';

const LOSS_WINDOW = 5;

function windowMean(points: readonly { y: number }[]): number | null {
  return points.length === 0 ? null : points.reduce((sum, p) => sum + p.y, 0) / points.length;
}

function Readout({ label, value, testId, raw }: { label: string; value: string; testId: string; raw: number | null }) {
  return (
    <div>
      <dt className="text-xs text-slate-600 dark:text-slate-400">{label}</dt>
      <dd data-testid={testId} data-value={raw ?? ''} className="font-mono text-base">
        {value}
      </dd>
    </div>
  );
}

function NumberField({ label, value, disabled, onChange }: { label: string; value: string; disabled: boolean; onChange: (v: string) => void }) {
  return (
    <label className="flex min-w-0 flex-col gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <input inputMode="decimal" className="w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
