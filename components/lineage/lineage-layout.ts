import { scaleLinear } from 'd3-scale';
import { linkHorizontal } from 'd3-shape';
import { mapLabel } from '@/components/taxonomy/labels';

/**
 * Geometry of the lineage view: methods placed by year (x) in lanes (y), each edge a curve from a
 * parent to a child. Pure, so the invariants (no overlapping nodes, parents never right of their
 * children, every edge between drawn nodes) are unit-tested.
 */

export interface LineageInputNode {
  id: string;
  /** What the node shows: short enough for its box. */
  label: string;
  /** Publication year; null (the full fine-tuning baseline) sits in a column before the first year. */
  year: number | null;
  lane: string;
}

export interface LineageInputEdge {
  parent: string;
  child: string;
}

export interface LaneBand {
  id: string;
  label: string;
  y: number;
  h: number;
}

export interface LineageNode extends LineageInputNode {
  x: number;
  y: number;
  w: number;
  h: number;
  ancestors: string[];
  descendants: string[];
}

export type Point = [number, number];
/** A cubic Bézier piece: start, two control points, end. */
export type Cubic = [Point, Point, Point, Point];

export interface LineageEdge extends LineageInputEdge {
  /** SVG path data from the parent's box to the child's. */
  path: string;
  /** The same line as cubic pieces, for checking where it runs. */
  segments: Cubic[];
}

/** The cubic d3-shape's linkHorizontal draws between two points (control points at mid-x). */
function horizontalLink(from: Point, to: Point): Cubic {
  const mid = (from[0] + to[0]) / 2;
  return [from, [mid, from[1]], [mid, to[1]], to];
}

export interface LineageLayout {
  width: number;
  height: number;
  columns: { label: string; x: number }[];
  lanes: LaneBand[];
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export const NODE_W = 126;
export const NODE_H = 24;
export const NODE_FONT = 12;
const ROW = NODE_H + 8;
/** One year. With the node width this leaves 38 px between columns for the curves. */
const COLUMN = 164;
const PAD_X = 8;
/** The baseline is not on the time scale: its column is only as wide as its node and a gap. */
const BASELINE_GAP = 20;
const AXIS_H = 28;
const LANE_LABEL_H = 22;
const LANE_GAP = 8;
/** How far a curve between two methods of the same year bulges left of their column: further for
 * longer spans, so brackets nest instead of running on top of each other. */
const sameYearBulge = (dy: number) => 10 + Math.min(24, Math.abs(dy) * 0.06);

function closure(start: string, next: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>();
  const stack = [...(next.get(start) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop();
    if (id === undefined || seen.has(id) || id === start) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return [...seen].sort();
}

/**
 * Lays out methods over time. Lanes are drawn in the order given and only those with methods
 * appear; edges whose ends are not among the nodes are an error (a lineage naming a method the
 * catalogue lacks), as is a child older than its parent.
 */
export function layoutLineage(nodes: readonly LineageInputNode[], edges: readonly LineageInputEdge[], lanes: readonly { id: string; label: string }[]): LineageLayout {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const e of edges) {
    const parent = byId.get(e.parent);
    const child = byId.get(e.child);
    if (!parent || !child) throw new Error(`lineage edge ${e.parent} → ${e.child} names a method that is not drawn`);
    if (parent.year !== null && (child.year === null || child.year < parent.year)) {
      throw new Error(`lineage edge ${e.parent} (${parent.year}) → ${e.child} (${child.year ?? 'no year'}) goes back in time`);
    }
  }
  for (const n of nodes) if (!lanes.some((l) => l.id === n.lane)) throw new Error(`${n.id}: unknown lane "${n.lane}"`);

  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const e of edges) {
    parents.set(e.child, [...(parents.get(e.child) ?? []), e.parent]);
    children.set(e.parent, [...(children.get(e.parent) ?? []), e.child]);
  }

  const years = nodes.flatMap((n) => (n.year === null ? [] : [n.year]));
  const minYear = Math.min(...years);
  const maxYear = Math.max(...years);
  const hasBaseline = nodes.some((n) => n.year === null);
  const firstYearX = PAD_X + (hasBaseline ? NODE_W + BASELINE_GAP : 0);
  const x = scaleLinear()
    .domain([minYear, maxYear])
    .range([firstYearX, firstYearX + (maxYear - minYear) * COLUMN]);
  const columnX = (year: number | null) => (year === null ? PAD_X : x(year));
  const columns = [
    ...(hasBaseline ? [{ label: 'Baseline', x: PAD_X }] : []),
    ...Array.from({ length: maxYear - minYear + 1 }, (_, i) => ({ label: String(minYear + i), x: x(minYear + i) })),
  ];

  // Rows within each lane and column: first by name, then twice by the mean row of each method's
  // relatives, which pulls connected methods level with each other and uncrosses most curves.
  const cell = (n: LineageInputNode) => `${n.lane}|${n.year ?? 'base'}`;
  const groups = new Map<string, LineageInputNode[]>();
  for (const n of [...nodes].sort((a, b) => a.label.localeCompare(b.label))) groups.set(cell(n), [...(groups.get(cell(n)) ?? []), n]);
  const laneRows = new Map(lanes.map((l) => [l.id, Math.max(0, ...[...groups.entries()].filter(([k]) => k.startsWith(`${l.id}|`)).map(([, g]) => g.length))]));
  const drawnLanes = lanes.filter((l) => (laneRows.get(l.id) ?? 0) > 0);
  const laneTop = new Map<string, number>();
  const bands: LaneBand[] = [];
  let y = AXIS_H;
  for (const l of drawnLanes) {
    const h = LANE_LABEL_H + (laneRows.get(l.id) ?? 0) * ROW + LANE_GAP;
    bands.push({ id: l.id, label: l.label, y, h });
    laneTop.set(l.id, y + LANE_LABEL_H);
    y += h;
  }
  const height = y + 4;

  const rowY = new Map<string, number>();
  const place = () => {
    for (const group of groups.values()) group.forEach((n, i) => rowY.set(n.id, (laneTop.get(n.lane) ?? 0) + i * ROW));
  };
  place();
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const group of groups.values()) {
      const mean = (id: string) => {
        const ys = [...(parents.get(id) ?? []), ...(children.get(id) ?? [])].map((r) => rowY.get(r) ?? 0);
        return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : (rowY.get(id) ?? 0);
      };
      const order = new Map(group.map((n) => [n.id, mean(n.id)]));
      group.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0) || a.label.localeCompare(b.label));
    }
    place();
  }

  const placed: LineageNode[] = nodes.map((n) => ({
    ...n,
    x: columnX(n.year),
    y: rowY.get(n.id) ?? 0,
    w: NODE_W,
    h: NODE_H,
    ancestors: closure(n.id, parents),
    descendants: closure(n.id, children),
  }));
  const at = new Map(placed.map((n) => [n.id, n]));
  const curve = linkHorizontal<{ source: Point; target: Point }, Point>();
  const gap = COLUMN - NODE_W;
  const firstRows = new Set(drawnLanes.map((l) => laneTop.get(l.id)));
  const laidEdges: LineageEdge[] = edges.map((e) => {
    const p = at.get(e.parent);
    const c = at.get(e.child);
    if (!p || !c) throw new Error('unreachable: edges were checked above');
    const [y1, y2] = [p.y + p.h / 2, c.y + c.h / 2];
    let segments: Cubic[];
    if (c.x === p.x) {
      // Same column: a bracket on the left side, clear of the boxes.
      const bulge = sameYearBulge(y2 - y1);
      segments = [[[p.x, y1], [p.x - bulge, y1], [c.x - bulge, y2], [c.x, y2]]];
    } else if (c.x - p.x <= COLUMN + 1) {
      // Neighbouring columns: the curve stays in the gap between them.
      segments = [horizontalLink([p.x + p.w, y1], [c.x, y2])];
    } else {
      // Across columns: into the free lane between two rows of boxes, along it, and out of it into
      // the child, so the line never runs behind a method it does not touch. (Rows line up across
      // lanes, so the space between two rows is free in every column; a lane's first row has its
      // label above it, so those runs pass below.)
      const above = c.y - (ROW - NODE_H) / 2;
      const below = c.y + NODE_H + (ROW - NODE_H) / 2;
      const run = firstRows.has(c.y) || Math.abs(below - y1) < Math.abs(above - y1) ? below : above;
      segments = [horizontalLink([p.x + p.w, y1], [p.x + p.w + gap, run]), horizontalLink([p.x + p.w + gap, run], [c.x - gap, run]), horizontalLink([c.x - gap, run], [c.x, y2])];
    }
    const path = segments.map((seg, i) => {
      const [from, c1, c2, to] = seg;
      const isLink = c1[1] === from[1] && c2[1] === to[1] && c1[0] === c2[0] && c1[0] === (from[0] + to[0]) / 2;
      const d = isLink ? (curve({ source: from, target: to }) ?? '') : `M${from[0]},${from[1]}C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${to[0]},${to[1]}`;
      // Pieces after the first continue the line instead of starting a new one.
      return i === 0 ? d : d.replace(/^M[^C]*/, '');
    });
    return { ...e, segments, path: path.join('') };
  });

  const width = Math.max(...columns.map((c) => c.x)) + NODE_W + PAD_X;
  return { width, height, columns, lanes: bands, nodes: placed, edges: laidEdges };
}

/** A label that fits a node: the taxonomy map's short name (the same on both views), cut with an
 * ellipsis only if still too long. In Chromium with DejaVu Sans, a wide fallback font, the widest
 * short name ("LayerNorm Tuning") averages 0.57 em a character. */
export function shortLabel(name: string, maxChars = Math.floor((NODE_W - 14) / (NODE_FONT * 0.57))): string {
  const label = mapLabel(name);
  return label.length <= maxChars ? label : `${label.slice(0, maxChars - 1)}…`;
}
