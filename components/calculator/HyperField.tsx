'use client';

import type { Architecture } from '@/lib/peft/arch';
import { linearPaths } from '@/lib/peft/arch';
import type { HyperParam } from '@/lib/peft/method-api/types';
import { INPUT } from './SetupFields';

const HELP = 'text-xs text-slate-600 dark:text-slate-400';

/**
 * One hyperparameter of the method, with its help as the field's description. `invalid`: the
 * error shown (with id `errorId`) is about this field.
 */
export function HyperField({
  h,
  value,
  onChange,
  arch,
  invalid,
  errorId,
}: {
  h: HyperParam;
  /** The text typed, or the resolved default. */
  value: string;
  onChange: (v: string) => void;
  /** The model's architecture, whose linear maps a module list may name; null when the model is unknown. */
  arch: Architecture | null;
  invalid: boolean;
  errorId: string;
}) {
  const id = `calc-hyper-${h.key}`;
  const helpId = `${id}-help`;
  const a11y = { 'data-testid': id, 'aria-describedby': invalid ? `${helpId} ${errorId}` : helpId, 'aria-invalid': invalid || undefined };
  const wide = h.kind === 'modules' || h.kind === 'pattern';
  let control;
  if (h.kind === 'choice') {
    control = (
      <select className={INPUT} {...a11y} value={value} onChange={(e) => onChange(e.target.value)}>
        {h.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (wide) {
    control = <input className={`${INPUT} font-mono`} {...a11y} placeholder={h.kind === 'pattern' ? 'q_proj=16,v_proj=4' : undefined} value={value} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = <input className={INPUT} {...a11y} inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <label className={`flex min-w-0 flex-col gap-1 text-sm ${wide ? '@md/form:col-span-2' : ''}`}>
      <span className="font-medium">{h.label}</span>
      {control}
      <span id={helpId} className={HELP}>
        {h.help}
        {h.kind === 'modules' && arch && (
          <>
            {' '}
            Comma-separated module names. This model has: <span className="font-mono">{linearPaths(arch).join(', ')}</span>
          </>
        )}
      </span>
    </label>
  );
}
