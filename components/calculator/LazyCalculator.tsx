'use client';

import dynamic from 'next/dynamic';

/** The calculator (model data, d3) loads only on pages that show one. */
export const LazyCalculator = dynamic(() => import('./Calculator').then((m) => m.Calculator), {
  loading: () => <p className="not-prose my-8 text-sm text-slate-600 dark:text-slate-400">Loading the calculator…</p>,
});
