'use client';

import { formatBytes, formatPercent } from '@/components/format';
import { median } from '@/lib/stats';
import { findPeftMethod } from '@/lib/peft/registry';
import type { Lane } from './race-lanes';
import { BACKEND_LABELS } from './RaceTable';

const PHASE_WORDS: Record<Lane['phase'], string> = {
  loading: 'Loading TensorFlow.js…',
  preparing: 'Preparing on task data…',
  running: 'Running',
  finished: 'Finished',
  stopped: 'Stopped',
  error: 'Failed',
};

/** One method's live readouts: backend, step, loss, exact match, ms/step, tensor memory, status. */
export function RaceLaneCard({ lane, steps, style }: { lane: Lane; steps: number; style: { color: string; dash: string } }) {
  const name = findPeftMethod(lane.method).name;
  const ms = median(lane.stepTimes.slice(-50));
  return (
    <li data-testid="race-lane" data-method={lane.method} data-phase={lane.phase} className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-700" style={{ borderTopColor: style.color, borderTopWidth: 4 }}>
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="font-semibold">{name}</h3>
        <span data-testid="race-lane-status" className="text-xs text-slate-600 dark:text-slate-400">
          {PHASE_WORDS[lane.phase]}
          {lane.backend && ` · ${BACKEND_LABELS[lane.backend]}`}
        </span>
      </div>
      <div className="mt-2 h-1.5 overflow-hidden rounded bg-slate-100 dark:bg-slate-800" aria-hidden>
        <div className="h-full" style={{ width: `${Math.min(100, (lane.step / steps) * 100)}%`, background: style.color }} />
      </div>
      <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
        <Readout label="Step" testId="race-lane-step" value={`${lane.step} / ${steps}`} raw={lane.step} />
        <Readout label="Training loss" testId="race-lane-loss" value={lane.loss === null ? '–' : lane.loss.toFixed(3)} raw={lane.loss} />
        <Readout label="Held-out exact match" testId="race-lane-accuracy" value={lane.accuracy === null ? '–' : formatPercent(lane.accuracy)} raw={lane.accuracy} />
        <Readout label="ms/step (last 50)" testId="race-lane-ms" value={Number.isFinite(ms) ? ms.toFixed(1) : '–'} raw={Number.isFinite(ms) ? ms : null} />
        <Readout label="Tensor memory" testId="race-lane-bytes" value={lane.bytes === null ? '–' : formatBytes(lane.bytes)} raw={lane.bytes} />
        <Readout label="Reached target" testId="race-lane-reached" value={lane.reached ? `step ${lane.reached.step}, ${lane.reached.seconds.toFixed(1)} s` : '–'} raw={lane.reached?.seconds ?? null} />
      </dl>
      {lane.skipped.length > 0 && <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{lane.skipped.map((s) => `${BACKEND_LABELS[s.backend]} skipped: ${s.reason}`).join('; ')}</p>}
      {lane.error && (
        <p role="alert" data-testid="race-lane-error" className="mt-2 text-sm font-medium text-red-700 dark:text-red-400">
          {lane.error}
        </p>
      )}
    </li>
  );
}

function Readout({ label, value, testId, raw }: { label: string; value: string; testId: string; raw: number | null }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600 dark:text-slate-400">{label}</dt>
      <dd data-testid={testId} data-value={raw ?? ''} className="font-mono">
        {value}
      </dd>
    </div>
  );
}
