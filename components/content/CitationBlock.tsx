import { citationUrl, fullAuthors, toBibtex, type Citation } from '@/lib/content/citation';
import { CopyButton } from './CopyButton';

/** How a citation's link reads: "arXiv:2106.09685", "doi:10.…", or the proceedings address. */
function linkLabel(c: Citation): string | null {
  if (c.arxiv) return `arXiv:${c.arxiv}`;
  if (c.doi) return `doi:${c.doi}`;
  return c.url ?? null;
}

/** "Cite this paper": the reference in words, its BibTeX, and a copy button. */
export function CitationBlock({ citation, heading, note }: { citation: Citation; heading: string; note?: string }) {
  const bibtex = toBibtex(citation);
  const url = citationUrl(citation);
  const label = linkLabel(citation);
  return (
    <section aria-labelledby={`cite-${citation.key}`} className="not-prose mt-10 rounded-lg border border-slate-200 p-4 dark:border-slate-700" data-testid="citation">
      <div className="flex items-center justify-between gap-2">
        <h2 id={`cite-${citation.key}`} className="text-base font-semibold">
          {heading}
        </h2>
        <CopyButton text={bibtex} label="Copy BibTeX" />
      </div>
      <p className="mt-2 text-sm">
        {fullAuthors(citation.authors)} ({citation.year}). <cite>{citation.title}</cite>. {citation.venue}.
        {url && label && (
          <>
            {' '}
            <a className="break-all underline" href={url}>
              {label}
            </a>
          </>
        )}
      </p>
      {note && <p className="mt-1 text-sm text-amber-800 dark:text-amber-300">{note}</p>}
      <pre className="mt-3 overflow-x-auto rounded bg-slate-100 p-3 text-xs dark:bg-slate-900" tabIndex={0} aria-label="BibTeX entry">
        <code>{bibtex}</code>
      </pre>
    </section>
  );
}
