'use client';

import { useState } from 'react';
import taxonomyFile from '@/content/data/taxonomy.json';
import { METHODS, findPeftMethod } from '@/lib/peft/registry';
import { findTask, taskProblem, type TaskId } from '@/lib/peft/model/tasks';
import { laneStyle } from './race-lanes';
import { MAX_METHODS, MIN_METHODS } from './race-url';

const CATEGORY_ORDER = ['baseline', 'additive', 'selective', 'reparametrization', 'hybrid'];
const CATEGORY_OF = new Map(taxonomyFile.methods.map((m) => [m.id, m.category]));

/** The registry's methods that can train on `task`, grouped by the taxonomy's category, by name. */
function groupedMethods(task: TaskId, exclude: readonly string[]): { category: string; methods: { id: string; name: string }[] }[] {
  const t = findTask(task);
  const open = METHODS.filter((m) => !exclude.includes(m.id) && taskProblem(m, t) === null);
  const categories = [...new Set(open.map((m) => CATEGORY_OF.get(m.id) ?? 'other'))].sort((a, b) => rank(a) - rank(b));
  return categories.map((category) => ({
    category,
    methods: open
      .filter((m) => (CATEGORY_OF.get(m.id) ?? 'other') === category)
      .map((m) => ({ id: m.id, name: m.name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

function rank(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i === -1 ? CATEGORY_ORDER.length : i;
}

const INPUT = 'min-w-0 rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900';
const BUTTON = 'rounded border border-slate-300 px-3 py-1 text-sm font-medium hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800';

/** The methods in the race (2 to 6), each with its lane colour, and a grouped select to add one. */
export function MethodPicker({ methods, task, disabled, onChange }: { methods: readonly string[]; task: TaskId; disabled: boolean; onChange: (methods: string[]) => void }) {
  const groups = groupedMethods(task, methods);
  const first = groups[0]?.methods[0]?.id ?? '';
  const [choice, setChoice] = useState('');
  // The remembered choice may have been added, or ruled out by a new task.
  const selected = groups.some((g) => g.methods.some((m) => m.id === choice)) ? choice : first;
  const full = methods.length >= MAX_METHODS;

  return (
    <fieldset className="min-w-0" disabled={disabled}>
      <legend className="text-sm font-medium">
        Methods ({MIN_METHODS} to {MAX_METHODS})
      </legend>
      <ul data-testid="race-methods" className="mt-2 flex flex-wrap gap-2">
        {methods.map((id, i) => {
          const name = findPeftMethod(id).name;
          return (
            <li key={id} data-method={id} className="inline-flex items-center gap-2 rounded-full border border-slate-300 py-0.5 pr-1 pl-3 text-sm dark:border-slate-600">
              <svg aria-hidden width={18} height={6} className="shrink-0">
                <line x1={0} x2={18} y1={3} y2={3} stroke={laneStyle(i).color} strokeWidth={3} strokeDasharray={laneStyle(i).dash || undefined} />
              </svg>
              {name}
              <button
                type="button"
                aria-label={`Remove ${name}`}
                className="rounded-full px-1.5 leading-tight text-slate-600 hover:bg-slate-100 disabled:opacity-50 dark:text-slate-300 dark:hover:bg-slate-800"
                onClick={() => onChange(methods.filter((m) => m !== id))}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <div className="mt-3 flex flex-wrap items-end gap-2">
        <label className="flex min-w-0 flex-col gap-1 text-sm">
          <span>Add a method</span>
          <select data-testid="race-add-select" className={INPUT} value={selected} disabled={full || groups.length === 0} onChange={(e) => setChoice(e.target.value)}>
            {groups.map((g) => (
              <optgroup key={g.category} label={g.category.charAt(0).toUpperCase() + g.category.slice(1)}>
                {g.methods.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <button type="button" data-testid="race-add" className={BUTTON} disabled={full || selected === ''} onClick={() => selected && onChange([...methods, selected])}>
          Add
        </button>
        {full && <span className="text-xs text-slate-600 dark:text-slate-400">Six is the most; remove one to add another.</span>}
      </div>
    </fieldset>
  );
}
