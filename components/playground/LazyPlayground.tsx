'use client';

import dynamic from 'next/dynamic';

/**
 * The playground's code (and d3) loads only on pages that show one; pages that merely could
 * (every MDX page shares the component map) stay light. TensorFlow.js itself loads later still,
 * in the worker, when the reader presses Start.
 */
export const LazyPlayground = dynamic(() => import('./Playground').then((m) => m.Playground), {
  loading: () => <p className="not-prose my-8 text-sm text-slate-600 dark:text-slate-400">Loading the playground…</p>,
});
