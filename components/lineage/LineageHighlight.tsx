'use client';

import { type ReactNode, useRef } from 'react';

/**
 * Lights up a method's ancestors and descendants in the server-rendered lineage chart while it is
 * hovered or focused. The chart works without it; this only toggles data attributes that its
 * classes style, so nothing is re-rendered.
 */
export function LineageHighlight({ children, className }: { children: ReactNode; className?: string }) {
  const root = useRef<HTMLDivElement>(null);

  const show = (target: EventTarget | null) => {
    const box = root.current;
    if (!box) return;
    const node = target instanceof Element ? target.closest<SVGElement>('[data-node]') : null;
    const id = node?.dataset.node;
    box.toggleAttribute('data-active', Boolean(id));
    const ancestors = new Set(node?.dataset.ancestors?.split(' ').filter(Boolean));
    const descendants = new Set(node?.dataset.descendants?.split(' ').filter(Boolean));
    if (id) {
      ancestors.add(id);
      descendants.add(id);
    }
    for (const el of box.querySelectorAll<SVGElement>('[data-node]')) {
      const other = el.dataset.node ?? '';
      el.toggleAttribute('data-lit', ancestors.has(other) || descendants.has(other));
      el.toggleAttribute('data-current', other === id);
    }
    // An edge is on the lineage when both its ends are ancestors (or both descendants) of the method.
    for (const el of box.querySelectorAll<SVGElement>('[data-edge]')) {
      const { parent = '', child = '' } = el.dataset;
      el.toggleAttribute('data-lit', (ancestors.has(parent) && ancestors.has(child)) || (descendants.has(parent) && descendants.has(child)));
    }
  };

  return (
    <div
      ref={root}
      className={className}
      onMouseOver={(e) => show(e.target)}
      onMouseLeave={() => show(null)}
      onFocus={(e) => show(e.target)}
      onBlur={(e) => {
        if (!root.current?.contains(e.relatedTarget as Node | null)) show(null);
      }}
    >
      {children}
    </div>
  );
}
