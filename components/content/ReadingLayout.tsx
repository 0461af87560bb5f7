import type { ReactNode } from 'react';
import type { TocEntry } from '@/lib/content/toc';
import { TableOfContents } from './TableOfContents';

/**
 * A long page: the text column, and its table of contents beside it on wide screens (sticky) or
 * above it on narrow ones. `wide` content (charts, tables) may use the full width of the main area.
 */
export function ReadingLayout({ toc, children }: { toc: readonly TocEntry[]; children: ReactNode }) {
  const hasToc = toc.length >= 3;
  return (
    <div className={hasToc ? 'lg:grid lg:grid-cols-[minmax(0,1fr)_14rem] lg:gap-10' : undefined}>
      <div className="min-w-0">{children}</div>
      {hasToc && (
        <aside className="order-first mb-6 lg:order-none lg:mb-0">
          <div className="lg:sticky lg:top-6 lg:max-h-[calc(100vh-3rem)] lg:overflow-y-auto">
            <TableOfContents entries={toc} />
          </div>
        </aside>
      )}
    </div>
  );
}
