import type { ReactNode } from 'react';

/** Says plainly that a part of the site is not built yet, and what it will hold. */
export function ComingSoon({ children }: { children: ReactNode }) {
  return (
    <div role="note" className="not-prose rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-700 dark:border-slate-600 dark:text-slate-300">
      <p className="font-semibold">Not built yet</p>
      <div className="mt-1">{children}</div>
    </div>
  );
}
