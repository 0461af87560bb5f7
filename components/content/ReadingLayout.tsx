import type { ReactNode } from 'react';
import type { TocEntry } from '@/lib/content/toc';
import { TableOfContents } from './TableOfContents';

/**
 * A long page: the text column, with its table of contents in a sticky column beside it on wide
 * screens, or folded into an "On this page" disclosure above it on narrow ones. Short pages (fewer
 * than three entries) get the column alone. Inside the column, MdxBody keeps prose to a reading
 * measure while tables, charts and tools use the full width.
 */
export function ReadingLayout({ toc, children }: { toc: readonly TocEntry[]; children: ReactNode }) {
  if (toc.length < 3) return <div className="min-w-0">{children}</div>;
  return (
    <div className="lg:grid lg:grid-cols-[minmax(0,1fr)_13rem] lg:gap-x-10 xl:gap-x-12">
      <details className="group mb-6 rounded-lg border border-slate-200 lg:hidden dark:border-slate-700">
        <summary className="flex cursor-pointer list-none items-center justify-between px-4 py-2.5 text-sm font-semibold text-slate-800 dark:text-slate-200 [&::-webkit-details-marker]:hidden">
          On this page
          <span aria-hidden="true" className="inline-block text-slate-500 transition-transform group-open:rotate-180 dark:text-slate-400">
            ▾
          </span>
        </summary>
        <div className="px-4 pb-3">
          <TableOfContents entries={toc} heading={false} />
        </div>
      </details>
      <div className="min-w-0">{children}</div>
      <div className="hidden lg:block">
        <div className="sticky top-6 max-h-[calc(100vh-3rem)] overflow-y-auto pb-6">
          <TableOfContents entries={toc} />
        </div>
      </div>
    </div>
  );
}
