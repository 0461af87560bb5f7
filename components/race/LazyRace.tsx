'use client';

import dynamic from 'next/dynamic';

/**
 * The race's code (the registry, d3) loads in its own chunk after the page; TensorFlow.js loads
 * later still, in each method's worker, when the reader presses Start.
 */
export const LazyRace = dynamic(() => import('./Race').then((m) => m.Race), {
  loading: () => <p className="mt-6 text-sm text-slate-600 dark:text-slate-400">Loading the race…</p>,
});
