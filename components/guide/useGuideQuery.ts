'use client';

import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_GUIDE_QUERY, guideQueryFromParams, guideQueryToParams, type GuideQuery } from './query';

/**
 * The guide's form kept in the URL query, as the calculator's: the static page reads the address
 * after hydration, then rewrites it on every change so the answer can be shared as a link.
 */
export function useGuideQuery() {
  const [query, setQuery] = useState<GuideQuery>(DEFAULT_GUIDE_QUERY);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    setQuery(guideQueryFromParams(new URLSearchParams(window.location.search)));
    setReady(true);
  }, []);
  useEffect(() => {
    if (ready) window.history.replaceState(null, '', `?${guideQueryToParams(query).toString()}${window.location.hash}`);
  }, [query, ready]);
  const set = useCallback((key: keyof GuideQuery, value: string) => setQuery((q) => ({ ...q, [key]: value })), []);
  return { query, set };
}
