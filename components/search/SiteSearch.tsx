'use client';

import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { loadPagefind, search, type SearchHit } from './pagefind';

const MAX_RESULTS = 8;

type Status =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'done'; hits: SearchHit[]; total: number; query: string }
  | { kind: 'error' };

/** True when a key press belongs to a field the reader is typing in, so "/" must not open search. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Site search in the header: a button (or "/" or Ctrl/⌘-K) opens a modal dialog; typing searches
 * the static Pagefind index, which is fetched on first use. Results are ordinary links: arrow keys
 * move between the field and the results, Enter follows one, Escape closes.
 */
export function SiteSearch() {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const latest = useRef('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const ids = useId();

  const open = useCallback(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    // Fetch the index while the reader types; a failure shows when they search.
    loadPagefind().catch(() => undefined);
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const ctrlK = (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k';
      const slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target);
      if (!ctrlK && !slash) return;
      e.preventDefault();
      open();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  const runSearch = async (text: string) => {
    latest.current = text;
    const trimmed = text.trim();
    if (trimmed === '') {
      setStatus({ kind: 'idle' });
      return;
    }
    setStatus((s) => (s.kind === 'done' ? s : { kind: 'loading' }));
    try {
      const outcome = await search(trimmed, MAX_RESULTS);
      // A slower, older search must not overwrite a newer one.
      if (outcome === null || latest.current !== text) return;
      setStatus({ kind: 'done', query: trimmed, ...outcome });
    } catch {
      if (latest.current === text) setStatus({ kind: 'error' });
    }
  };

  const links = () => Array.from(listRef.current?.querySelectorAll('a') ?? []);

  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    const first = links()[0];
    if (e.key === 'ArrowDown' && first) {
      e.preventDefault();
      first.focus();
    } else if (e.key === 'Enter' && first) {
      e.preventDefault();
      first.click();
    }
  };

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const all = links();
    const at = all.indexOf(document.activeElement as HTMLAnchorElement);
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, all.length - 1) : at - 1;
    (next < 0 ? inputRef.current : all[next])?.focus();
  };

  const hits = status.kind === 'done' ? status.hits : [];
  const statusId = `${ids}-status`;

  return (
    <>
      <button
        type="button"
        onClick={open}
        aria-haspopup="dialog"
        aria-keyshortcuts="/ Control+K Meta+K"
        data-testid="site-search-open"
        className="flex items-center gap-1.5 rounded-md border border-slate-300 px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 sm:w-44 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 shrink-0" fill="none" stroke="currentColor" strokeWidth="2">
          <circle cx="8.5" cy="8.5" r="5.5" />
          <path d="m13 13 4.5 4.5" strokeLinecap="round" />
        </svg>
        <span>Search</span>
        <kbd aria-hidden="true" className="ml-auto hidden rounded border border-slate-300 px-1.5 font-sans text-xs text-slate-600 sm:inline dark:border-slate-600 dark:text-slate-400">
          /
        </kbd>
      </button>

      <dialog
        ref={dialogRef}
        aria-labelledby={`${ids}-label`}
        data-testid="site-search"
        // A click on the backdrop lands on the dialog element itself; clicks inside land on its content.
        onClick={(e) => {
          if (e.target === e.currentTarget) e.currentTarget.close();
        }}
        className="mx-auto mt-[8vh] mb-auto max-h-[84vh] w-[min(40rem,calc(100vw-1.5rem))] overflow-hidden rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-950/60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <div className="flex max-h-[84vh] flex-col">
          <div className="border-b border-slate-200 p-3 sm:p-4 dark:border-slate-700">
            <div className="flex items-center justify-between gap-3">
              <label id={`${ids}-label`} htmlFor={`${ids}-input`} className="text-sm font-semibold">
                Search methods, pages and models
              </label>
              <button
                type="button"
                onClick={() => dialogRef.current?.close()}
                className="rounded px-2 py-0.5 text-sm text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800"
              >
                Close<span className="sr-only"> search</span>
              </button>
            </div>
            <input
              ref={inputRef}
              id={`${ids}-input`}
              type="search"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                void runSearch(e.target.value);
              }}
              onKeyDown={onInputKey}
              aria-describedby={statusId}
              autoComplete="off"
              spellCheck={false}
              placeholder="LoRA, adapters, Llama 2 7B, t5-large…"
              data-testid="site-search-input"
              className="mt-2 w-full rounded-md border border-slate-300 bg-transparent px-3 py-2 text-base placeholder:text-slate-500 focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-600/40 dark:border-slate-600 dark:placeholder:text-slate-400 dark:focus:border-brand-300 dark:focus:ring-brand-300/40"
            />
          </div>

          <p id={statusId} role="status" className="px-3 pt-3 text-sm text-slate-600 sm:px-4 dark:text-slate-400">
            {statusText(status)}
          </p>

          {hits.length > 0 && (
            <ul ref={listRef} onKeyDown={onListKey} aria-label="Results" data-testid="site-search-results" className="min-h-0 overflow-y-auto p-2 sm:p-3">
              {hits.map((hit) => (
                <li key={hit.url}>
                  <a
                    href={hit.url}
                    className="block rounded-lg px-3 py-2 outline-none hover:bg-slate-100 focus:bg-brand-50 focus:ring-2 focus:ring-brand-600 dark:hover:bg-slate-800 dark:focus:bg-slate-800 dark:focus:ring-brand-300"
                  >
                    <span className="block font-semibold text-brand-700 dark:text-brand-300">{hit.title}</span>
                    <span className="block text-xs text-slate-600 dark:text-slate-400">{hit.where}</span>
                    <span className="mt-1 block text-sm text-slate-700 dark:text-slate-300">
                      {hit.excerpt.map((part, i) =>
                        part.marked ? (
                          <mark key={i} className="rounded-sm bg-yellow-200 text-inherit dark:bg-yellow-400/25">
                            {part.text}
                          </mark>
                        ) : (
                          part.text
                        ),
                      )}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          <p className="hidden px-4 pt-1 pb-3 text-xs text-slate-600 sm:block dark:text-slate-400">
            ↑ ↓ to move, Enter to open, Esc to close
          </p>
        </div>
      </dialog>
    </>
  );
}

function statusText(status: Status): string {
  switch (status.kind) {
    case 'idle':
      return 'Type a method, a topic or a model name.';
    case 'loading':
      return 'Searching…';
    case 'error':
      return 'The search index could not be loaded. It is built with the site (npm run build).';
    case 'done': {
      const { hits, total, query } = status;
      if (total === 0) return `No results for “${query}”.`;
      if (total > hits.length) return `${total} results for “${query}”; the first ${hits.length} are shown.`;
      return `${total} ${total === 1 ? 'result' : 'results'} for “${query}”.`;
    }
  }
}
