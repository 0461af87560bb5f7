/**
 * The browser side of the site search: Pagefind's index is built after `next build`
 * (scripts/build-search-index.mjs) into /pagefind/, and its script is fetched from there the
 * first time someone searches, never bundled into a page.
 */

/** What Pagefind returns for one result (the fields we use). */
export interface PagefindResultData {
  url: string;
  /** Plain text with the matched words wrapped in <mark>. */
  excerpt: string;
  meta: { title?: string; kind?: string };
}

interface PagefindSearch {
  results: { id: string; data: () => Promise<PagefindResultData> }[];
}

interface Pagefind {
  options: (options: { excerptLength?: number; ranking?: { pageLength?: number; termSimilarity?: number } }) => Promise<void>;
  init: () => Promise<void>;
  /** Resolves to null when a later call superseded this one. */
  debouncedSearch: (query: string, options?: object, debounceMs?: number) => Promise<PagefindSearch | null>;
}

/** A held variable, not a literal: the bundler must leave this import to the browser. */
const PAGEFIND_URL = '/pagefind/pagefind.js';
let loading: Promise<Pagefind> | null = null;

/** Loads and starts Pagefind once; a failed load (no index in `next dev`, offline) may be retried. */
export function loadPagefind(): Promise<Pagefind> {
  loading ??= (async () => {
    const pagefind = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ PAGEFIND_URL)) as Pagefind;
    // Pagefind's defaults rank a short page that mentions a word ahead of the long page about it
    // (LoRA-FA before LoRA); a smaller length penalty and closer word matches fix that.
    await pagefind.options({ excerptLength: 22, ranking: { pageLength: 0.3, termSimilarity: 5 } });
    await pagefind.init();
    return pagefind;
  })().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

export interface SearchHit {
  url: string;
  title: string;
  /** Where the result lives, e.g. "methods › lora", or "Model in the calculator". */
  where: string;
  excerpt: ExcerptPart[];
}

export interface SearchOutcome {
  hits: SearchHit[];
  total: number;
}

/** Searches, or returns null when a newer query superseded this one while it waited. */
export async function search(query: string, limit: number): Promise<SearchOutcome | null> {
  const pagefind = await loadPagefind();
  const found = await pagefind.debouncedSearch(query, {}, 120);
  if (found === null) return null;
  const data = await Promise.all(found.results.slice(0, limit).map((r) => r.data()));
  return { hits: data.map(toHit), total: found.results.length };
}

function toHit(d: PagefindResultData): SearchHit {
  return { url: d.url, title: d.meta.title ?? d.url, where: whereLabel(d), excerpt: excerptParts(d.excerpt) };
}

/** A short label for where a result lives: a model record's kind, else its path. */
export function whereLabel(d: Pick<PagefindResultData, 'url' | 'meta'>): string {
  if (d.meta.kind === 'Model') return 'Model in the calculator';
  const segments = d.url.split(/[?#]/)[0]?.split('/').filter(Boolean) ?? [];
  return segments.length === 0 ? 'Home' : segments.join(' › ');
}

export interface ExcerptPart {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: ' ' };

/**
 * Pagefind's excerpt as text runs, marked or not, so React renders them as text: no HTML from the
 * index is ever injected into the page.
 */
export function excerptParts(excerpt: string): ExcerptPart[] {
  const parts: ExcerptPart[] = [];
  let marked = false;
  for (const piece of excerpt.split(/(<\/?mark>)/)) {
    if (piece === '<mark>') marked = true;
    else if (piece === '</mark>') marked = false;
    else if (piece !== '') parts.push({ text: piece.replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (_, e: string) => ENTITIES[e] ?? ''), marked });
  }
  return parts;
}
