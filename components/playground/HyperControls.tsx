'use client';

import type { PeftMethod } from '@/lib/peft/method-api/types';
import { TOY_ARCH, type PlaygroundForm } from './settings';

/** The toy's linear maps by leaf name: unique in its block, and the names its weights carry. */
const TOY_MAP_NAMES = TOY_ARCH.stacks[0]?.linears.map((l) => l.name) ?? [];

/** One control per hyperparameter, built from the method file's metadata. */
export function HyperControls({ method, form, disabled, onChange }: { method: PeftMethod; form: PlaygroundForm; disabled: boolean; onChange: (hyper: PlaygroundForm['hyper']) => void }) {
  const set = (key: string, value: string | string[]) => onChange({ ...form.hyper, [key]: value });
  if (method.hyperparams.length === 0) {
    return <p className="text-sm text-slate-600 sm:col-span-2 dark:text-slate-400">{method.name} has no hyperparameters of its own.</p>;
  }
  return (
    <>
      {method.hyperparams.map((h) => {
        const value = form.hyper[h.key];
        if (h.kind === 'modules') {
          const chosen = Array.isArray(value) ? value : [];
          return (
            <fieldset key={h.key} className="text-sm sm:col-span-2" disabled={disabled}>
              <legend className="font-medium">{h.label}</legend>
              <div className="mt-1 flex flex-wrap gap-3">
                {TOY_MAP_NAMES.map((name) => (
                  <label key={name} className="inline-flex items-center gap-1 font-mono">
                    <input type="checkbox" checked={chosen.includes(name)} onChange={(e) => set(h.key, e.target.checked ? [...chosen, name] : chosen.filter((n) => n !== name))} />
                    {name}
                  </label>
                ))}
              </div>
              <p className="text-xs text-slate-600 dark:text-slate-400">{h.help}</p>
            </fieldset>
          );
        }
        if (h.kind === 'choice') {
          return (
            <label key={h.key} className="flex min-w-0 flex-col gap-1 text-sm">
              <span className="font-medium">{h.label}</span>
              <select className="w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600" value={String(value)} disabled={disabled} onChange={(e) => set(h.key, e.target.value)}>
                {h.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              <span className="text-xs text-slate-600 dark:text-slate-400">{h.help}</span>
            </label>
          );
        }
        const fromTask = h.toyFromTask === 'classes';
        return (
          <label key={h.key} className="flex min-w-0 flex-col gap-1 text-sm">
            <span className="font-medium">{h.label}</span>
            <input data-testid={`pg-hyper-${h.key}`} inputMode="decimal" className="w-full min-w-0 rounded border border-slate-300 bg-transparent px-2 py-1 disabled:opacity-70 dark:border-slate-600" value={String(value ?? '')} disabled={disabled || fromTask} onChange={(e) => set(h.key, e.target.value)} />
            <span className="text-xs text-slate-600 dark:text-slate-400">{fromTask ? `${h.help} Here: the chosen task's classes.` : h.help}</span>
          </label>
        );
      })}
    </>
  );
}
