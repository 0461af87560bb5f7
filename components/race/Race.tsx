'use client';

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { formatCount, formatPercent } from '@/components/format';
import { TOY_ARCH, WASM_PATH, WEIGHTS_URL } from '@/components/playground/settings';
import { findPeftMethod } from '@/lib/peft/registry';
import { TASKS, findTask, taskProblem } from '@/lib/peft/model/tasks';
import { BACKENDS, type FromWorker, type ToWorker } from '@/lib/peft/train/protocol';
import { MethodPicker } from './MethodPicker';
import { RaceCharts } from './RaceCharts';
import { RaceLaneCard } from './RaceLaneCard';
import { BACKEND_LABELS, RaceTable } from './RaceTable';
import { applyMessages, isDone, laneResult, laneStyle, newLane, rankResults, sharingNote, type Lane, type TimedMessage } from './race-lanes';
import { raceRequest } from './race-request';
import { DEFAULT_SETUP, MAX_METHODS, MAX_STEPS, MIN_METHODS, MIN_STEPS, parseRaceParams, raceQuery, type LaneResult, type RaceBackend, type RaceSetup } from './race-url';

/** The toy model's parameter count: the denominator of "% trainable". */
const TOY_TOTAL = findPeftMethod('full-fine-tuning').trainableParams(TOY_ARCH, {});

/** A race as it runs: the setup it started with (later edits do not change it) and its lanes. */
interface RunState {
  setup: RaceSetup;
  lanes: Lane[];
}

type RunAction = { type: 'start'; setup: RaceSetup } | { type: 'messages'; byLane: TimedMessage[][] };

function reduceRun(run: RunState | null, action: RunAction): RunState | null {
  if (action.type === 'start') return { setup: action.setup, lanes: action.setup.methods.map(newLane) };
  if (!run) return run;
  const target = findTask(run.setup.task).target;
  return { ...run, lanes: run.lanes.map((lane, i) => applyMessages(lane, action.byLane[i] ?? [], target)) };
}

const INPUT = 'w-full min-w-0 rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900';
const BUTTON = 'rounded border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800';
const BUTTON_PRIMARY = 'rounded bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-50';

/**
 * Two to six methods fine-tune the toy transformer on one task side by side, each in its own Web
 * Worker (TensorFlow.js loads there, on Start). Messages are timed as they arrive and folded into
 * the lanes once per animation frame, so six fast workers do not re-render the page per step.
 */
export function Race() {
  const [setup, setSetup] = useState<RaceSetup>(DEFAULT_SETUP);
  const [stepsText, setStepsText] = useState(String(DEFAULT_SETUP.steps));
  const [problems, setProblems] = useState<string[]>([]);
  const [shared, setShared] = useState<LaneResult[] | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [cores, setCores] = useState<number | undefined>(undefined);
  const [run, dispatch] = useReducer(reduceRun, null);
  const [shareUrl, setShareUrl] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [elapsed, setElapsed] = useState(0);

  const workers = useRef<(Worker | null)[]>([]);
  const queue = useRef<TimedMessage[][]>([]);
  const frame = useRef<number | null>(null);
  const startedAt = useRef(0);

  // The page is static: the address is read after hydration.
  useEffect(() => {
    const parsed = parseRaceParams(new URLSearchParams(window.location.search));
    setSetup(parsed.setup);
    setStepsText(String(parsed.setup.steps));
    setProblems(parsed.problems);
    setShared(parsed.shared);
    setCores(navigator.hardwareConcurrency || undefined);
    setLoaded(true);
  }, []);

  // The address follows the setup (and keeps a shared table while it matches it).
  useEffect(() => {
    if (loaded) window.history.replaceState(null, '', `${raceQuery(setup, shared ?? undefined)}${window.location.hash}`);
  }, [loaded, setup, shared]);

  const terminateAll = useCallback(() => {
    for (const w of workers.current) w?.terminate();
    workers.current = [];
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    queue.current = [];
  }, []);
  useEffect(() => terminateAll, [terminateAll]);

  const running = run !== null && !run.lanes.every(isDone);
  const done = run !== null && !running;

  // The race clock ticks between messages too (a method preparing on task data sends none).
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => setElapsed((performance.now() - startedAt.current) / 1000), 250);
    return () => clearInterval(id);
  }, [running]);

  function flush() {
    frame.current = null;
    const byLane = queue.current;
    queue.current = byLane.map(() => []);
    dispatch({ type: 'messages', byLane });
    setElapsed((performance.now() - startedAt.current) / 1000);
  }

  function receive(lane: number, message: FromWorker) {
    const seconds = (performance.now() - startedAt.current) / 1000;
    queue.current[lane]?.push({ message, seconds });
    // A lane that has ended frees its worker (and its share of the CPU) at once.
    if (message.type === 'finished' || message.type === 'error') {
      workers.current[lane]?.terminate();
      workers.current[lane] = null;
    }
    if (frame.current === null) frame.current = requestAnimationFrame(flush);
  }

  function updateSetup(patch: Partial<RaceSetup>) {
    setSetup((s) => ({ ...s, ...patch }));
    // A shared table belongs to the setup it was run with; the address problems were about the old one.
    setShared(null);
    setProblems([]);
    setShareUrl(null);
  }

  const stepsNumber = /^\s*\d{1,6}\s*$/.test(stepsText) ? Number(stepsText) : NaN;
  const stepsError = Number.isInteger(stepsNumber) && stepsNumber >= MIN_STEPS && stepsNumber <= MAX_STEPS ? null : `Steps must be a whole number from ${MIN_STEPS} to ${MAX_STEPS}.`;
  const countError = setup.methods.length < MIN_METHODS ? `Pick at least ${MIN_METHODS} methods.` : setup.methods.length > MAX_METHODS ? `Pick at most ${MAX_METHODS} methods.` : null;
  const formError = stepsError ?? countError;
  const task = findTask(setup.task);
  // Tasks every picked method can train on (class-head methods only run on classification tasks).
  const tasks = TASKS.filter((t) => setup.methods.every((id) => taskProblem(findPeftMethod(id), t) === null));

  function start() {
    if (formError || !loaded) return;
    const made = setup.methods.map((id) => raceRequest(findPeftMethod(id), setup.task, setup.steps));
    const failed = made.find((m): m is { error: string } => 'error' in m);
    if (failed) {
      setStartError(failed.error);
      return;
    }
    setStartError(null);
    setShared(null);
    setShareUrl(null);
    // A new race drops shared results from the address (the address effect runs only on setup changes).
    window.history.replaceState(null, '', `${raceQuery(setup)}${window.location.hash}`);
    terminateAll();
    queue.current = setup.methods.map(() => []);
    dispatch({ type: 'start', setup });
    setElapsed(0);
    startedAt.current = performance.now();
    // Every worker is created and told to start in the same task, so none gets a head start.
    workers.current = made.map((m, lane) => {
      const worker = new Worker(new URL('../../lib/peft/train/worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e: MessageEvent<FromWorker>) => receive(lane, e.data);
      worker.onerror = (e) => receive(lane, { type: 'error', message: e.message || 'The training worker failed to start.', diverged: false });
      if ('request' in m) worker.postMessage({ type: 'start', request: m.request, backend: setup.backend, weightsUrl: WEIGHTS_URL, wasmPath: WASM_PATH } satisfies ToWorker);
      return worker;
    });
  }

  function stop() {
    for (const w of workers.current) w?.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  function share() {
    if (!run) return;
    const query = raceQuery(run.setup, run.lanes.map(laneResult));
    window.history.replaceState(null, '', `${query}${window.location.hash}`);
    const url = `${window.location.origin}${window.location.pathname}${query}`;
    setShareUrl(url);
    // The link is shown either way; copying is a convenience the browser may refuse.
    navigator.clipboard?.writeText(url).catch(() => undefined);
  }

  const runTask = run ? findTask(run.setup.task) : task;

  return (
    <section data-testid="race" aria-label="Method race" className="not-prose mt-6 min-w-0">
      {problems.length > 0 && (
        <div role="alert" data-testid="race-url-problems" className="mb-4 rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-medium">Part of this link could not be used, so the race starts from the nearest valid setup:</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}

      <form
        data-testid="race-setup"
        data-methods={setup.methods.join(',')}
        data-loaded={loaded}
        className="grid grid-cols-1 gap-4 rounded-xl border border-slate-200 p-4 sm:grid-cols-2 sm:p-6 dark:border-slate-700"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <div className="sm:col-span-2">
          <MethodPicker methods={setup.methods} task={setup.task} disabled={running} onChange={(methods) => updateSetup({ methods })} />
        </div>
        <label className="flex min-w-0 flex-col gap-1 text-sm">
          <span className="font-medium">Task</span>
          <select data-testid="race-task" className={INPUT} value={setup.task} disabled={running} onChange={(e) => updateSetup({ task: e.target.value as RaceSetup['task'] })}>
            {tasks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <span className="text-xs text-slate-600 dark:text-slate-400">
            {task.description} Target: {formatPercent(task.target)} held-out exact match.
          </span>
        </label>
        <div className="grid grid-cols-2 gap-4">
          <label className="flex min-w-0 flex-col gap-1 text-sm">
            <span className="font-medium">Steps</span>
            <input
              data-testid="race-steps"
              inputMode="numeric"
              className={INPUT}
              value={stepsText}
              disabled={running}
              aria-invalid={stepsError !== null}
              onChange={(e) => {
                setStepsText(e.target.value);
                const n = Number(e.target.value);
                if (/^\s*\d{1,6}\s*$/.test(e.target.value) && n >= MIN_STEPS && n <= MAX_STEPS) updateSetup({ steps: n });
              }}
            />
          </label>
          <label className="flex min-w-0 flex-col gap-1 text-sm">
            <span className="font-medium">Backend</span>
            <select data-testid="race-backend" className={INPUT} value={setup.backend} disabled={running} onChange={(e) => updateSetup({ backend: e.target.value as RaceBackend })}>
              <option value="auto">Automatic</option>
              {BACKENDS.map((b) => (
                <option key={b} value={b}>
                  {BACKEND_LABELS[b]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="sm:col-span-2">
          {(formError || startError) && (
            <p role="alert" data-testid="race-form-error" className="mb-2 text-sm font-medium text-red-700 dark:text-red-400">
              {formError ?? startError}
            </p>
          )}
          <div className="flex flex-wrap items-center gap-2">
            <button type="submit" data-testid="race-start" className={BUTTON_PRIMARY} disabled={!loaded || running || formError !== null}>
              {run ? 'Race again' : 'Start'}
            </button>
            {running && (
              <button type="button" data-testid="race-stop" className={BUTTON} onClick={stop}>
                Stop
              </button>
            )}
            {run && (
              <span data-testid="race-clock" className="font-mono text-sm">
                {elapsed.toFixed(1)} s{done && ' · done'}
              </span>
            )}
            {/* Announced once, not on every tick of the clock. */}
            <span role="status" className="sr-only">
              {done ? 'The race is over: the final table is below.' : running ? 'The race is running.' : ''}
            </span>
          </div>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            Each method runs in its own Web Worker with its playground defaults (its own learning rate, batch 16, the same seed, so the same
            batches and the same 128 held-out examples), evaluated every 10 steps. {sharingNote(cores, (run?.setup ?? setup).methods.length)}
          </p>
        </div>
      </form>

      {shared && !run && (
        <section data-testid="race-shared" aria-labelledby="race-shared-heading" className="mt-6 rounded-xl border border-blue-300 p-4 sm:p-6 dark:border-blue-800">
          <h2 id="race-shared-heading" className="text-lg font-semibold">
            Shared result
          </h2>
          <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
            This table was measured in the browser of whoever shared the link ({task.name}, {setup.steps} steps), not here; times and ms/step depend
            on that machine. Race again to measure it on yours.
          </p>
          <div className="mt-3">
            <RaceTable rows={rankResults(shared)} total={TOY_TOTAL} target={task.target} caption={`Shared final table: ${task.name}, ${setup.steps} steps, ranked by final exact match, then time to target.`} />
          </div>
          <button type="button" data-testid="race-again" className={`${BUTTON_PRIMARY} mt-3`} disabled={!loaded || formError !== null} onClick={start}>
            Race again
          </button>
        </section>
      )}

      {run && (
        <>
          <h2 className="mt-6 text-lg font-semibold">
            {runTask.name}, {run.setup.steps} steps
          </h2>
          <ol data-testid="race-lanes" className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
            {run.lanes.map((lane, i) => (
              <RaceLaneCard key={lane.method} lane={lane} steps={run.setup.steps} style={laneStyle(i)} />
            ))}
          </ol>
          <RaceCharts lanes={run.lanes} steps={run.setup.steps} target={runTask.target} />
        </>
      )}

      {run && done && (
        <section data-testid="race-final" aria-labelledby="race-final-heading" className="mt-6">
          <h2 id="race-final-heading" className="text-lg font-semibold">
            Final table
          </h2>
          <RaceTable
            rows={rankResults(run.lanes.map(laneResult))}
            total={TOY_TOTAL}
            target={runTask.target}
            caption={`${runTask.name}, ${run.setup.steps} steps, ranked by final exact match, then time to target. Time to target counts from Start, so it includes loading TensorFlow.js and any preparation a method does on task data. Trainable share of the toy model's ${formatCount(TOY_TOTAL)} parameters.`}
          />
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <button type="button" data-testid="race-share" className={BUTTON} onClick={share}>
              Share results
            </button>
            {shareUrl && (
              <span className="min-w-0 text-sm break-all">
                Link (copied where the browser allows):{' '}
                <a data-testid="race-share-link" className="underline" href={shareUrl}>
                  {shareUrl}
                </a>
              </span>
            )}
          </div>
        </section>
      )}
    </section>
  );
}
