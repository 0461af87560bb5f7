import type { TocEntry } from '@/lib/content/toc';

/**
 * "On this page": links to a page's h2/h3 headings (server-rendered, no JavaScript).
 * `heading={false}` where a surrounding control already says "On this page".
 */
export function TableOfContents({ entries, heading = true }: { entries: readonly TocEntry[]; heading?: boolean }) {
  if (entries.length < 3) return null;
  return (
    <nav aria-label="On this page" className="text-sm">
      {heading && <p className="font-semibold text-slate-800 dark:text-slate-200">On this page</p>}
      <ul className={`space-y-1 border-l border-slate-200 dark:border-slate-700 ${heading ? 'mt-2' : ''}`}>
        {entries.map((e) => (
          <li key={e.id}>
            <a
              href={`#${e.id}`}
              className={`-ml-px block border-l border-transparent py-0.5 leading-snug text-slate-600 hover:border-slate-400 hover:text-slate-900 dark:text-slate-400 dark:hover:border-slate-500 dark:hover:text-slate-100 ${e.depth === 3 ? 'pl-6' : 'pl-3'}`}
            >
              {e.text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
