'use client';

import { useLayoutEffect, useRef, useState } from 'react';

/**
 * The rendered width of an element in CSS pixels, kept current with a ResizeObserver, so a chart
 * can draw at its real size (text at its real font size) instead of scaling a fixed viewBox.
 * `fallback` is used until the first measurement.
 */
export function useElementWidth<T extends HTMLElement>(fallback: number) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const observer = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w) setWidth(Math.round(w));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
