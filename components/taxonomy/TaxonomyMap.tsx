import Link from 'next/link';
import type { CSSProperties } from 'react';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { DOT_RADIUS, FONT_SIZE, SET_NAME_SIZE, type PlacedMethod, type SetCircle, type SetId } from './layout';
import type { MapMethod, TaxonomyMapModel } from './map-data';
import { TaxonomyExplorer } from './TaxonomyExplorer';

/*
 * The survey's taxonomy figure as an SVG of links, rendered on the server so that the figure and
 * every link work without JavaScript. TaxonomyExplorer (client) adds the tooltip, search,
 * filters, zoom and arrow keys on top of this markup.
 */

/** One hue per set, with a light fill so overlaps read as overlaps, in both themes. */
const SET_STYLES: Record<SetId, { circle: string; name: string; line: string }> = {
  additive: {
    circle: 'fill-teal-600/[0.07] stroke-teal-700 dark:fill-teal-400/[0.07] dark:stroke-teal-400',
    name: 'fill-teal-800 dark:fill-teal-300',
    line: 'stroke-teal-700 fill-teal-700 dark:stroke-teal-400 dark:fill-teal-400',
  },
  adapters: {
    circle: 'fill-blue-600/[0.08] stroke-blue-700 dark:fill-blue-400/[0.08] dark:stroke-blue-400',
    name: 'fill-blue-800 dark:fill-blue-300',
    line: 'stroke-blue-700 fill-blue-700 dark:stroke-blue-400 dark:fill-blue-400',
  },
  'soft-prompts': {
    circle: 'fill-green-600/[0.08] stroke-green-700 dark:fill-green-400/[0.07] dark:stroke-green-400',
    name: 'fill-green-800 dark:fill-green-300',
    line: 'stroke-green-700 fill-green-700 dark:stroke-green-400 dark:fill-green-400',
  },
  selective: {
    circle: 'fill-amber-500/[0.1] stroke-amber-700 dark:fill-amber-400/[0.07] dark:stroke-amber-400',
    name: 'fill-amber-800 dark:fill-amber-300',
    line: 'stroke-amber-700 fill-amber-700 dark:stroke-amber-400 dark:fill-amber-400',
  },
  reparametrization: {
    circle: 'fill-violet-600/[0.08] stroke-violet-700 dark:fill-violet-400/[0.08] dark:stroke-violet-400',
    name: 'fill-violet-800 dark:fill-violet-300',
    line: 'stroke-violet-700 fill-violet-700 dark:stroke-violet-400 dark:fill-violet-400',
  },
};

function accessibleName(m: MapMethod): string {
  return [m.name, m.family, m.year, m.later ? 'later method' : null].filter((part) => part !== null).join(', ');
}

/** The dot: filled for the survey's methods, a ring for later ones, a square for the baseline. */
function Marker({ method, x, y }: { method: MapMethod; x: number; y: number }) {
  const colour = { '--dot': `var(--cat-${method.category})` } as CSSProperties;
  if (method.category === 'baseline') {
    const side = DOT_RADIUS * 1.8;
    return <rect x={x - side / 2} y={y - side / 2} width={side} height={side} style={colour} className="fill-[var(--dot)]" />;
  }
  if (method.later) {
    return (
      <circle cx={x} cy={y} r={DOT_RADIUS - 0.75} strokeWidth={2} style={colour} className="fill-white stroke-[var(--dot)] dark:fill-slate-950" />
    );
  }
  return <circle cx={x} cy={y} r={DOT_RADIUS} style={colour} className="fill-[var(--dot)]" />;
}

function MethodLink({ method, placed }: { method: MapMethod; placed: PlacedMethod }) {
  const { box } = placed;
  return (
    <Link
      href={`/methods/${method.id}/`}
      prefetch={false}
      data-method={method.id}
      aria-label={accessibleName(method)}
      className="group outline-none transition-opacity data-[dimmed]:opacity-20"
    >
      {/* The whole box is the hit area; it doubles as the hover highlight and the focus ring. */}
      <rect
        x={box.left - 2}
        y={box.top - 2}
        width={box.right - box.left + 4}
        height={box.bottom - box.top + 4}
        rx={5}
        strokeWidth={2.5}
        className="fill-transparent stroke-transparent group-hover:fill-slate-900/[0.06] group-focus-visible:fill-white group-focus-visible:stroke-brand-600 dark:group-hover:fill-white/10 dark:group-focus-visible:fill-slate-900 dark:group-focus-visible:stroke-brand-300"
      />
      <Marker method={method} x={placed.x} y={placed.y} />
      <text x={placed.textX} y={placed.y} dy="0.35em" fontSize={FONT_SIZE} className="fill-slate-900 group-hover:underline dark:fill-slate-100">
        {placed.label}
      </text>
    </Link>
  );
}

function MapSvg({ model, titleId }: { model: TaxonomyMapModel; titleId: string }) {
  const { layout } = model;
  const byId = new Map(model.methods.map((m) => [m.id, m]));
  return (
    <svg
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="group"
      aria-labelledby={titleId}
      data-taxonomy-svg=""
      className="block h-[min(62vh,30rem)] w-full select-none sm:h-auto"
    >
      <g data-zoom-layer="">
        {layout.sets.map((s) => (
          <circle key={s.id} cx={s.cx} cy={s.cy} r={s.r} strokeWidth={2} className={SET_STYLES[s.id].circle} />
        ))}
        {layout.setNames.map((n) => (
          <g key={n.id} aria-hidden="true" data-set-name={n.id}>
            <line x1={n.line.x1} x2={n.line.x2} y1={n.line.y} y2={n.line.y} strokeWidth={1.25} className={SET_STYLES[n.id].line} />
            <circle cx={n.line.x2} cy={n.line.y} r={3.5} className={SET_STYLES[n.id].line} />
            <text x={n.x} y={n.y} textAnchor={n.anchor} fontSize={SET_NAME_SIZE} fontWeight={600} className={SET_STYLES[n.id].name}>
              {n.name}
            </text>
          </g>
        ))}
        {layout.methods.map((placed) => {
          const method = byId.get(placed.id);
          return method ? <MethodLink key={placed.id} method={method} placed={placed} /> : null;
        })}
      </g>
    </svg>
  );
}

/** Every zone with its methods, as nested lists of links: the map for screen readers and small screens. */
function MapList({ model }: { model: TaxonomyMapModel }) {
  const byId = new Map(model.methods.map((m) => [m.id, m]));
  return (
    <ul className="mt-3 grid gap-x-8 gap-y-5 md:grid-cols-2">
      {model.zones.map((zone) => (
        <li key={zone.key || 'outside'} data-zone={zone.key}>
          <span id={`zone-${zone.key || 'outside'}`} className="font-semibold">
            {zone.name}
          </span>
          <ul aria-labelledby={`zone-${zone.key || 'outside'}`} className="mt-1 space-y-2">
            {zone.methodIds.map((id) => {
              const m = byId.get(id);
              if (!m) return null;
              return (
                <li key={id} data-method={id} className="text-sm">
                  <Link href={`/methods/${id}/`} prefetch={false} className="font-medium underline">
                    {m.name}
                  </Link>
                  <span className="text-slate-600 dark:text-slate-400">
                    {m.year ? ` · ${m.year}` : ''}
                    {m.later ? ' · later method' : ''}
                  </span>
                  {m.summary && <span className="block text-slate-700 dark:text-slate-300">{m.summary}</span>}
                </li>
              );
            })}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function Legend({ sets }: { sets: readonly SetCircle[] }) {
  const categories = [
    ['additive', 'Additive'],
    ['selective', 'Selective'],
    ['reparametrization', 'Reparametrization-based'],
    ['hybrid', 'Hybrid'],
  ] as const;
  const row = 'flex flex-wrap items-center gap-x-4 gap-y-1';
  return (
    <div className="space-y-1.5 text-sm text-slate-700 dark:text-slate-300">
      <p className={row}>
        <span>Circles:</span>
        {sets.map((set) => (
          <span key={set.id} className="inline-flex items-center gap-1.5 whitespace-nowrap">
            <svg aria-hidden="true" width="14" height="14" viewBox="0 0 14 14">
              <circle cx="7" cy="7" r="5.5" strokeWidth="2" className={SET_STYLES[set.id].circle} />
            </svg>
            {set.name}
          </span>
        ))}
      </p>
      <p className={row}>
        <span className="inline-flex items-center gap-1.5">
          <svg aria-hidden="true" width="12" height="12" viewBox="0 0 12 12">
            <circle cx="6" cy="6" r="5" className="fill-slate-600 dark:fill-slate-300" />
          </svg>
          In the survey&apos;s figure
        </span>
        <span className="inline-flex items-center gap-1.5">
          <svg aria-hidden="true" width="12" height="12" viewBox="0 0 12 12">
            <circle cx="6" cy="6" r="4.25" strokeWidth="2" className="fill-white stroke-slate-600 dark:fill-slate-950 dark:stroke-slate-300" />
          </svg>
          Later method, placed by us in its family
        </span>
        <span className="inline-flex items-center gap-1.5">
          <svg aria-hidden="true" width="12" height="12" viewBox="0 0 12 12">
            <rect x="1.5" y="1.5" width="9" height="9" className="fill-slate-600 dark:fill-slate-300" />
          </svg>
          Baseline
        </span>
      </p>
      <p className={row}>
        <span>Dot colour, the method&apos;s category:</span>
        {categories.map(([category, label]) => (
          <CategoryBadge key={category} category={category} label={label} />
        ))}
      </p>
    </div>
  );
}

interface Props {
  model: TaxonomyMapModel;
  /** 'full' adds search, filters and the list view (the /taxonomy/ page); 'compact' is the figure alone. */
  variant?: 'full' | 'compact';
  /** Id prefix, unique on the page. */
  id?: string;
  /** The map's accessible name. */
  title: string;
}

export function TaxonomyMap({ model, variant = 'full', id = 'taxonomy-map', title }: Props) {
  const titleId = `${id}-title`;
  return (
    <figure className="m-0" aria-labelledby={titleId}>
      <figcaption id={titleId} className="sr-only">
        {title}
      </figcaption>
      <TaxonomyExplorer
        id={id}
        methods={model.methods}
        width={model.layout.width}
        height={model.layout.height}
        labelSize={FONT_SIZE}
        controls={variant === 'full'}
        map={<MapSvg model={model} titleId={titleId} />}
        legend={<Legend sets={model.layout.sets} />}
        list={
          variant === 'full' ? (
            <details className="mt-6 rounded-lg border border-slate-200 p-4 dark:border-slate-700">
              <summary className="cursor-pointer font-semibold">The map as a list, zone by zone</summary>
              <MapList model={model} />
            </details>
          ) : null
        }
      />
    </figure>
  );
}
