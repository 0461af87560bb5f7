'use client';

import { useCallback, useEffect, useState } from 'react';
import { queryFromParams, queryToParams, type CalculatorQuery } from './query';

/**
 * A calculator-style state kept in the URL query. The page is static, so the URL is read after
 * hydration (not at build time), then rewritten on every change so the address can be shared.
 * `fixedMethod`: the method belongs to the page and is left out of the URL.
 */
export function useCalculatorQuery(initial: CalculatorQuery, fixedMethod: boolean) {
  const [query, setQuery] = useState<CalculatorQuery>(initial);
  useEffect(() => setQuery(queryFromParams(new URLSearchParams(window.location.search), initial, fixedMethod)), [initial, fixedMethod]);
  useEffect(() => {
    window.history.replaceState(null, '', `?${queryToParams(query, fixedMethod).toString()}${window.location.hash}`);
  }, [query, fixedMethod]);
  const update = useCallback((patch: Partial<CalculatorQuery>) => setQuery((q) => ({ ...q, ...patch })), []);
  /** One setting's text, by its key; the others stay as they are even when two change in one event loop. */
  const setSetting = useCallback((key: string, value: string) => setQuery((q) => ({ ...q, setup: { ...q.setup, [key]: value } })), []);
  return { query, update, setSetting };
}
