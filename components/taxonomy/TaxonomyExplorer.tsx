'use client';

import { useEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { MapMethod } from './map-data';
import { EMPTY_QUERY, MAP_FILTERS, MAP_FILTER_LABELS, matchSummary, matches, type MapFilter, type MapQuery } from './match';
import { nextInDirection, type Direction } from './navigation';
import { readableView, viewTransform } from './view';
import type { MapZoom } from './zoom';

/*
 * Enhances the server-rendered map (links in an SVG, and the list view) in place: it only sets
 * attributes on that markup (tabindex, data-dimmed, hidden, the zoom transform), so the figure
 * and its links stay exactly what the server rendered.
 */

/** Smallest label size, in CSS pixels, the map starts at: on a phone it opens zoomed in to reach it. */
const MIN_LABEL_PX = 11.5;
const MAX_ZOOM = 8;
const TOOLTIP_WIDTH = 288;
/** Height to keep free below a method for its card before it opens above instead. */
const TOOLTIP_ROOM = 240;

const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

interface Props {
  id: string;
  methods: MapMethod[];
  /** The drawing's size in SVG units, and its labels' font size in the same units. */
  width: number;
  height: number;
  labelSize: number;
  /** Show search, filters and the match count. */
  controls: boolean;
  map: ReactNode;
  legend: ReactNode;
  list: ReactNode;
}

interface Tip {
  id: string;
  left: number;
  top: number;
  above: boolean;
}

function methodOf(target: EventTarget | null): SVGAElement | null {
  return target instanceof Element ? (target.closest('a[data-method]') as SVGAElement | null) : null;
}

export function TaxonomyExplorer({ id, methods, width, height, labelSize, controls, map, legend, list }: Props) {
  const rootRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement | null>(null);
  const zoomRef = useRef<MapZoom | null>(null);
  const zoomReady = useRef<Promise<MapZoom | null> | null>(null);
  const [query, setQuery] = useState<MapQuery>(EMPTY_QUERY);
  const [activeId, setActiveId] = useState(methods[0]?.id ?? '');
  const [tip, setTip] = useState<Tip | null>(null);
  const tipId = `${id}-tooltip`;

  const byId = useMemo(() => new Map(methods.map((m) => [m.id, m])), [methods]);
  const matching = useMemo(() => methods.filter((m) => matches(m, query)), [methods, query]);
  const matchingIds = useMemo(() => new Set(matching.map((m) => m.id)), [matching]);

  const linkFor = (methodId: string) =>
    viewportRef.current?.querySelector<SVGAElement>(`a[data-method="${CSS.escape(methodId)}"]`) ?? null;

  // The search and filter live in the URL, so a filtered map can be shared as a link.
  useEffect(() => {
    if (!controls) return;
    const params = new URLSearchParams(window.location.search);
    const filter = params.get('filter') ?? '';
    setQuery({ text: params.get('q') ?? '', filter: (MAP_FILTERS as readonly string[]).includes(filter) ? (filter as MapFilter) : '' });
  }, [controls]);
  useEffect(() => {
    if (!controls) return;
    const params = new URLSearchParams();
    if (query.text) params.set('q', query.text);
    if (query.filter) params.set('filter', query.filter);
    const search = params.toString();
    window.history.replaceState(null, '', search ? `?${search}` : window.location.pathname);
  }, [controls, query]);

  // Dim the map's non-matching methods; hide them, and zones left empty, in the list view.
  useEffect(() => {
    const root = rootRef.current;
    if (!root) return;
    for (const el of root.querySelectorAll<HTMLElement | SVGElement>('[data-method]')) {
      const match = matchingIds.has(el.dataset.method ?? '');
      if (el instanceof HTMLLIElement) el.hidden = !match;
      else el.toggleAttribute('data-dimmed', !match);
    }
    for (const zone of root.querySelectorAll<HTMLLIElement>('li[data-zone]')) {
      zone.hidden = zone.querySelector('li[data-method]:not([hidden])') === null;
    }
    if (!matchingIds.has(activeId) && matching[0]) setActiveId(matching[0].id);
  }, [matchingIds, matching, activeId]);

  // One tab stop for the whole map (roving tabindex): Tab enters at the active method, arrows move.
  useEffect(() => {
    for (const a of viewportRef.current?.querySelectorAll<SVGAElement>('a[data-method]') ?? []) {
      a.setAttribute('tabindex', a.dataset.method === activeId ? '0' : '-1');
    }
  }, [activeId]);

  const startView = (svg: SVGSVGElement) =>
    readableView({ width: svg.clientWidth, height: svg.clientHeight }, { width, height }, labelSize, MIN_LABEL_PX, MAX_ZOOM);

  // The starting view applies at once; pan and zoom (d3-zoom, a separate chunk) attach when loaded.
  useEffect(() => {
    const svg = viewportRef.current?.querySelector<SVGSVGElement>('svg[data-taxonomy-svg]');
    const layer = svg?.querySelector<SVGGElement>('g[data-zoom-layer]');
    if (!svg || !layer) return;
    svgRef.current = svg;
    const view = startView(svg);
    layer.setAttribute('transform', viewTransform(view));
    let cancelled = false;
    zoomReady.current = import('./zoom').then(({ attachZoom }) => {
      if (cancelled) return null;
      zoomRef.current = attachZoom(svg, layer, width, height, MAX_ZOOM, view);
      return zoomRef.current;
    });
    return () => {
      cancelled = true;
      zoomRef.current?.detach();
      zoomRef.current = null;
    };
  }, [width, height, labelSize]);

  // A button pressed before the zoom code has arrived acts once it has.
  const withZoom = (action: (zoom: MapZoom) => void) => void zoomReady.current?.then((zoom) => zoom && action(zoom));
  const zoomBy = (factor: number) => withZoom((zoom) => zoom.zoomBy(factor));
  const resetZoom = () => withZoom((zoom) => svgRef.current && zoom.reset(startView(svgRef.current)));

  /** Pans a method into view when the keyboard reaches one outside the zoomed window, then calls `then`. */
  const keepInView = (el: SVGAElement, method: MapMethod, then: () => void) => {
    const svg = svgRef.current;
    const r = el.getBoundingClientRect();
    const v = svg?.getBoundingClientRect();
    if (!v || (r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom)) return then();
    withZoom((zoom) => {
      zoom.centreOn(method.x, method.y);
      then();
    });
  };

  const showTip = (el: SVGAElement) => {
    const frame = frameRef.current;
    const methodId = el.dataset.method;
    if (!frame || !methodId) return;
    const r = el.getBoundingClientRect();
    const f = frame.getBoundingClientRect();
    const width = Math.min(TOOLTIP_WIDTH, f.width - 16);
    // Below the method unless it sits low in the window and there is more room above.
    const roomBelow = window.innerHeight - r.bottom;
    const above = roomBelow < TOOLTIP_ROOM && r.top > roomBelow;
    setTip({
      id: methodId,
      left: Math.min(Math.max(r.left - f.left - 12, 8), f.width - width - 8),
      top: above ? r.top - f.top - 6 : r.bottom - f.top + 6,
      above,
    });
  };

  const focusMethod = (methodId: string | null) => {
    if (!methodId) return;
    setActiveId(methodId);
    linkFor(methodId)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const link = methodOf(e.target);
    const current = link?.dataset.method;
    if (!current) return;
    const direction = ARROWS[e.key];
    if (direction) {
      e.preventDefault();
      const points = methods.filter((m) => m.id === current || matchingIds.has(m.id));
      focusMethod(nextInDirection(points, current, direction));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      focusMethod((e.key === 'Home' ? matching[0] : matching[matching.length - 1])?.id ?? null);
    } else if (e.key === 'Escape') {
      setTip(null);
      setQuery(EMPTY_QUERY);
    }
  };

  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    const link = methodOf(e.target);
    const method = link && byId.get(link.dataset.method ?? '');
    if (!link || !method) return;
    setActiveId(method.id);
    keepInView(link, method, () => showTip(link));
    link.setAttribute('aria-describedby', tipId);
  };
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    methodOf(e.target)?.removeAttribute('aria-describedby');
    if (!methodOf(e.relatedTarget)) setTip(null);
  };
  const onPointerOver = (e: PointerEvent<HTMLDivElement>) => {
    const link = methodOf(e.target);
    if (link && e.pointerType === 'mouse') showTip(link);
  };
  const onPointerLeave = () => {
    // Back to the focused method's card, if the keyboard is on one.
    const focused = methodOf(document.activeElement);
    if (focused && viewportRef.current?.contains(focused)) showTip(focused);
    else setTip(null);
  };

  const tipMethod = tip ? byId.get(tip.id) : undefined;
  const buttonClass =
    'flex size-9 items-center justify-center rounded-md border border-slate-300 bg-white text-lg leading-none shadow-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600 dark:border-slate-600 dark:bg-slate-900 dark:hover:bg-slate-800 dark:focus-visible:outline-brand-300';

  return (
    <div ref={rootRef}>
      {controls && (
        <div className="mb-3 flex flex-col gap-3 lg:flex-row lg:items-end lg:justify-between">
          <label className="flex flex-col gap-1 text-sm font-medium">
            Search the map
            <input
              type="search"
              value={query.text}
              onChange={(e) => setQuery((q) => ({ ...q, text: e.target.value }))}
              placeholder="e.g. LoRA, prompt, adapter"
              className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 font-normal sm:w-72 dark:border-slate-600 dark:bg-slate-900"
            />
          </label>
          <fieldset className="min-w-0">
            <legend className="mb-1 text-sm font-medium">Show</legend>
            <div className="flex flex-wrap gap-1.5">
              {(['', ...MAP_FILTERS] as const).map((filter) => (
                <label key={filter || 'all'} className="cursor-pointer">
                  <input
                    type="radio"
                    name={`${id}-filter`}
                    value={filter}
                    checked={query.filter === filter}
                    onChange={() => setQuery((q) => ({ ...q, filter }))}
                    className="peer sr-only"
                  />
                  <span className="inline-block rounded-full border border-slate-300 px-3 py-1 text-sm peer-checked:border-brand-600 peer-checked:bg-brand-600 peer-checked:text-white peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600 dark:border-slate-600 dark:peer-checked:border-brand-300 dark:peer-checked:bg-brand-300 dark:peer-checked:text-slate-950 dark:peer-focus-visible:outline-brand-300">
                    {filter === '' ? 'All' : MAP_FILTER_LABELS[filter]}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        </div>
      )}
      <div className="mb-2 flex items-end justify-between gap-3">
        {controls ? (
          <p role="status" className="text-sm text-slate-700 dark:text-slate-300" data-testid="map-match-count">
            {matchSummary(matching.length, methods.length, query)}
          </p>
        ) : (
          <span />
        )}
        <div className="flex shrink-0 gap-1.5">
          <button type="button" className={buttonClass} onClick={() => zoomBy(1.5)} aria-label="Zoom in">
            <span aria-hidden="true">+</span>
          </button>
          <button type="button" className={buttonClass} onClick={() => zoomBy(1 / 1.5)} aria-label="Zoom out">
            <span aria-hidden="true">−</span>
          </button>
          <button type="button" className={`${buttonClass} text-base`} onClick={resetZoom} aria-label="Reset the view">
            <span aria-hidden="true">⟲</span>
          </button>
        </div>
      </div>
      {/* The card is positioned in this outer box, so it may reach past the map's clipped edges. */}
      <div ref={frameRef} className="relative">
        <div
          ref={viewportRef}
          className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-950"
          onKeyDown={onKeyDown}
          onFocus={onFocus}
          onBlur={onBlur}
          onPointerOver={onPointerOver}
          onPointerLeave={onPointerLeave}
        >
          {map}
        </div>
        {tip && tipMethod && (
          <div
            id={tipId}
            role="tooltip"
            data-testid="map-tooltip"
            className="pointer-events-none absolute z-20 rounded-md border border-slate-300 bg-white p-3 text-sm shadow-lg dark:border-slate-600 dark:bg-slate-900"
            style={{ left: tip.left, top: tip.top, width: `min(${TOOLTIP_WIDTH}px, calc(100% - 16px))`, transform: tip.above ? 'translateY(-100%)' : undefined }}
          >
            <p className="font-semibold">{tipMethod.name}</p>
            <p className="text-slate-600 dark:text-slate-400">
              {[tipMethod.family, tipMethod.year, tipMethod.later ? "later method, not in the survey's figure" : null].filter(Boolean).join(' · ')}
            </p>
            {tipMethod.summary && <p className="mt-1.5">{tipMethod.summary}</p>}
            {tipMethod.properties ? (
              <ul className="mt-1.5 list-disc pl-4 text-slate-700 dark:text-slate-300">
                {tipMethod.properties.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : (
              <p className="mt-1.5 text-slate-600 dark:text-slate-400">Not implemented on this site yet.</p>
            )}
          </div>
        )}
      </div>
      <div className="mt-3 space-y-2">
        {legend}
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Hover over or focus a method for its summary; click it or press Enter to open its page. Keyboard: Tab into the map,
          then the arrow keys move to the nearest method in that direction, Home and End to the first and last
          {controls ? ', Esc clears the search and filter' : ''}. Drag to pan; zoom with the buttons, a pinch, or Ctrl and
          the scroll wheel.
        </p>
      </div>
      {list}
    </div>
  );
}
