'use client';

import Link from 'next/link';

/**
 * Shown instead of a page that failed while rendering in the browser. Expected problems (bad
 * input, a method that is not built yet) are reported in place by the components themselves;
 * this is the last resort, and it keeps the site's frame and a way back.
 */
export default function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="max-w-xl">
      <h1 className="text-3xl font-bold tracking-tight">Something went wrong on this page</h1>
      <p className="mt-3 text-slate-700 dark:text-slate-300">{error.message || 'An unexpected error stopped this page from rendering.'}</p>
      <p className="mt-3 flex gap-4">
        <button type="button" className="rounded border border-slate-300 px-3 py-1 dark:border-slate-600" onClick={reset}>
          Try again
        </button>
        <Link className="self-center underline" href="/methods/">
          All methods
        </Link>
      </p>
    </div>
  );
}
