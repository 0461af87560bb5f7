import type { TocEntry } from '@/lib/content/toc';

/** "On this page": links to a page's h2/h3 headings (server-rendered, no JavaScript). */
export function TableOfContents({ entries }: { entries: readonly TocEntry[] }) {
  if (entries.length < 3) return null;
  return (
    <nav aria-label="On this page" className="text-sm">
      <p className="font-semibold text-slate-700 dark:text-slate-300">On this page</p>
      <ul className="mt-2 space-y-1.5 border-l border-slate-200 dark:border-slate-700">
        {entries.map((e) => (
          <li key={e.id} className={e.depth === 3 ? 'pl-6' : 'pl-3'}>
            <a href={`#${e.id}`} className="text-slate-600 hover:text-brand-600 dark:text-slate-400 dark:hover:text-brand-300">
              {e.text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
