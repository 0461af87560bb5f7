'use client';

import { useEffect, useState } from 'react';
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
  // Setting the checkbox replaces a bad `checkpointing=…` read from the URL.
  const update = (patch: Partial<CalculatorQuery>) =>
    setQuery((q) => ({ ...q, ...('checkpointing' in patch ? { checkpointingText: undefined } : {}), ...patch }));
  return { query, update };
}
