import { LineageHighlight } from './LineageHighlight';
import { type LineageInputEdge, NODE_FONT, layoutLineage, shortLabel } from './lineage-layout';

export interface LineageMethod {
  id: string;
  name: string;
  year: number | null;
  /** Taxonomy category: the node's colour (globals.css --cat-<category>). */
  category: string;
  lane: string;
}

export interface LineageLink extends LineageInputEdge {
  how: string;
}

interface Props {
  methods: readonly LineageMethod[];
  links: readonly LineageLink[];
  lanes: readonly { id: string; label: string }[];
}

const methodHref = (id: string) => `/methods/${id}/`;

/**
 * The family tree of methods over time: a server-rendered SVG in which every method is a link,
 * inside its own horizontally scrolling box; a small client wrapper adds the highlighting of a
 * method's lineage on hover and focus.
 */
export function LineageTree({ methods, links, lanes }: Props) {
  const layout = layoutLineage(
    methods.map((m) => ({ id: m.id, label: shortLabel(m.name), year: m.year, lane: m.lane })),
    links,
    lanes,
  );
  const byId = new Map(methods.map((m) => [m.id, m]));
  const name = (id: string) => byId.get(id)?.name ?? id;
  const parentsText = (id: string) =>
    links
      .filter((l) => l.child === id)
      .map((l) => name(l.parent))
      .join(', ');
  // Links in reading order (lane by lane, then by year and row), so Tab walks the chart sensibly.
  const nodes = [...layout.nodes].sort((a, b) => layout.lanes.findIndex((l) => l.id === a.lane) - layout.lanes.findIndex((l) => l.id === b.lane) || a.x - b.x || a.y - b.y);

  return (
    <LineageHighlight className="group/lineage">
      <div
        className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700"
        tabIndex={0}
        role="region"
        aria-label="Lineage chart; scrolls sideways on narrow screens"
      >
        <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} aria-labelledby="lineage-chart-title" role="group" className="block" data-testid="lineage-chart">
          <title id="lineage-chart-title">Methods by year, each linked to the earlier methods it builds on</title>
          {layout.lanes.map((lane, i) => (
            <g key={lane.id}>
              <rect x={0} y={lane.y} width={layout.width} height={lane.h} className={i % 2 === 0 ? 'fill-slate-50 dark:fill-slate-900/60' : 'fill-white dark:fill-slate-950'} />
              <text x={8} y={lane.y + 15} fontSize={NODE_FONT} fontWeight={600} className="fill-slate-700 dark:fill-slate-300">
                {lane.label}
              </text>
            </g>
          ))}
          {layout.columns.map((c) => (
            <g key={c.label}>
              <line x1={c.x} x2={c.x} y1={22} y2={layout.height} className="stroke-slate-200 dark:stroke-slate-700" strokeDasharray="2 4" />
              <text x={c.x} y={16} fontSize={NODE_FONT} fontWeight={600} className="fill-slate-700 dark:fill-slate-300">
                {c.label}
              </text>
            </g>
          ))}
          <g fill="none">
            {layout.edges.map((e) => (
              <path
                key={`${e.parent}-${e.child}`}
                d={e.path}
                data-edge=""
                data-parent={e.parent}
                data-child={e.child}
                strokeWidth={1.5}
                className="stroke-slate-400 transition-opacity group-data-[active]/lineage:opacity-15 data-[lit]:stroke-brand-600 data-[lit]:opacity-100! data-[lit]:[stroke-width:2.5] dark:stroke-slate-500 dark:data-[lit]:stroke-brand-300"
              />
            ))}
          </g>
          {nodes.map((n) => {
            const method = byId.get(n.id);
            const parents = parentsText(n.id);
            const label = `${method?.name ?? n.id}, ${n.year ?? 'baseline'}${parents ? `, builds on ${parents}` : ''}`;
            return (
              <a
                key={n.id}
                href={methodHref(n.id)}
                aria-label={label}
                data-node={n.id}
                data-ancestors={n.ancestors.join(' ')}
                data-descendants={n.descendants.join(' ')}
                className="group/node transition-opacity group-data-[active]/lineage:opacity-30 data-[lit]:opacity-100!"
              >
                <title>{label}</title>
                <rect
                  x={n.x}
                  y={n.y}
                  width={n.w}
                  height={n.h}
                  rx={n.h / 2}
                  style={{ stroke: `var(--cat-${method?.category ?? 'baseline'})` }}
                  strokeWidth={1.5}
                  className="fill-white group-hover/node:[stroke-width:3] group-focus-visible/node:[stroke-width:3] group-data-[current]/node:[stroke-width:3] dark:fill-slate-900"
                />
                <text x={n.x + 10} y={n.y + n.h / 2 + NODE_FONT * 0.35} fontSize={NODE_FONT} className="fill-slate-900 group-hover/node:underline dark:fill-slate-100">
                  {n.label}
                </text>
              </a>
            );
          })}
        </svg>
      </div>
    </LineageHighlight>
  );
}
