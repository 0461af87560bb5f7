/**
 * Where every method sits on the taxonomy map: a pure, deterministic layout of the survey's v1
 * taxonomy figure (Lialin et al., arXiv 2303.15647v1, Figure 2), computed at build time.
 *
 * The figure is a Venn diagram of five sets: additive (containing adapters and soft prompts),
 * selective and reparametrization-based. A method's `regions` name the sets it belongs to, so the
 * part of the diagram it goes in (its "zone") is the set of points inside exactly those circles.
 * Each zone lists its methods in centred rows around the point of the zone farthest from every
 * edge; layout.test.ts checks that every dot and label lies inside its zone and nothing overlaps.
 */

export const SET_IDS = ['additive', 'adapters', 'soft-prompts', 'selective', 'reparametrization'] as const;
export type SetId = (typeof SET_IDS)[number];

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface SetCircle {
  id: SetId;
  /** The set's name as the map writes it. */
  name: string;
  cx: number;
  cy: number;
  r: number;
  /**
   * The name is written outside the circles, as in the figure, above a horizontal leader line at
   * height `y` that runs from the drawing's edge on `side` to a point `x` inside the circle.
   */
  leader: { side: 'left' | 'right'; y: number; x: number };
}

/** What the layout needs to know about a method. */
export interface LayoutInput {
  id: string;
  /** The short name written on the map. */
  label: string;
  /** The figure's sets the method belongs to (taxonomy.json `regions`); empty for the baseline. */
  regions: readonly string[];
}

export interface PlacedMethod {
  id: string;
  label: string;
  /** The dot's centre. */
  x: number;
  y: number;
  /** Where the label text starts (left aligned, vertically centred on the dot). */
  textX: number;
  /** Dot and label together: the link's hit area and focus ring. */
  box: Box;
  /** The zone's key: its sets in SET_IDS order joined by '+', '' outside every set. */
  zone: string;
}

export interface PlacedSetName {
  id: SetId;
  name: string;
  /** Where the text starts (left side) or ends (right side), on its baseline. */
  x: number;
  y: number;
  anchor: 'start' | 'end';
  box: Box;
  /** The leader line, from the drawing's edge to the dot inside the circle. */
  line: { x1: number; x2: number; y: number };
}

export interface TaxonomyLayout {
  width: number;
  height: number;
  sets: readonly SetCircle[];
  setNames: readonly PlacedSetName[];
  methods: readonly PlacedMethod[];
}

/** Size of the drawing in SVG units; method labels are FONT_SIZE units high. */
export const WIDTH = 1100;
export const HEIGHT = 800;
export const FONT_SIZE = 13;
export const SET_NAME_SIZE = 17;
export const DOT_RADIUS = 5;
/** Distance kept between the drawing's edge and any text. */
export const EDGE = 16;
/** Vertical distance between rows of methods. */
const ROW_HEIGHT = 25;
/** Horizontal space between two labels in a row. */
const COLUMN_GAP = 12;
/** Half the height of a label's box. */
const HALF_BOX = 9;
/** From the dot's centre to the start of its label. */
const TEXT_OFFSET = DOT_RADIUS + 4;
/** Space kept between a label's box and a circle's edge. */
const ZONE_MARGIN = 4;
/** How far a zone's rows may move up or down from its centre to fit. */
const MAX_SHIFT = 120;
/** The most methods a zone puts in one row. */
const MAX_PER_ROW = 4;
/** Clearance from the zone's edges at which a block of longer rows is preferred to a narrower one. */
const COMFORTABLE = 6;

/*
 * The circles keep the figure's arrangement: adapters in the upper right of additive, soft
 * prompts in its lower part overlapping adapters, selective at the upper right reaching into
 * adapters, reparametrization at the lower right reaching into adapters and, through the
 * adapters-soft prompts overlap, soft prompts (UniPELT). Reparametrization is larger than in the
 * figure because it also holds the later low-rank methods. Adapters and soft prompts lie wholly
 * inside additive, as the subsets of it they are.
 */
export const SETS: readonly SetCircle[] = [
  { id: 'additive', name: 'Additive', cx: 445, cy: 393, r: 327, leader: { side: 'left', y: 150, x: 300 } },
  { id: 'adapters', name: 'Adapters', cx: 543, cy: 319, r: 180, leader: { side: 'left', y: 195, x: 440 } },
  { id: 'soft-prompts', name: 'Soft prompts', cx: 390, cy: 525, r: 180, leader: { side: 'left', y: 660, x: 360 } },
  { id: 'selective', name: 'Selective', cx: 786, cy: 234, r: 214, leader: { side: 'right', y: 60, x: 800 } },
  { id: 'reparametrization', name: 'Reparametrization-based', cx: 738, cy: 516, r: 265, leader: { side: 'right', y: 770, x: 770 } },
];

/** Where the baseline (outside every set) is drawn: the lower left corner, clear of the circles. */
const OUTSIDE_ANCHOR: Point = { x: 110, y: 755 };

/** The zone a method belongs in, from its `regions`: unknown names are an error, not a guess. */
export function zoneKey(regions: readonly string[]): string {
  for (const region of regions) {
    if (!(SET_IDS as readonly string[]).includes(region)) throw new Error(`unknown taxonomy region "${region}"`);
  }
  return SET_IDS.filter((id) => regions.includes(id)).join('+');
}

function zoneMembers(zone: string): string[] {
  return zone === '' ? [] : zone.split('+');
}

/** The sets whose circles contain the point, in SET_IDS order. */
export function setsAt(p: Point, sets: readonly SetCircle[] = SETS): SetId[] {
  return sets.filter((s) => Math.hypot(p.x - s.cx, p.y - s.cy) < s.r).map((s) => s.id);
}

/**
 * How far the point is inside its zone: the distance to the nearest circle edge, negative when
 * the point is on the wrong side of some circle.
 */
export function clearance(p: Point, zone: string, sets: readonly SetCircle[] = SETS): number {
  const members = zoneMembers(zone);
  let least = Infinity;
  for (const s of sets) {
    const d = Math.hypot(p.x - s.cx, p.y - s.cy);
    least = Math.min(least, members.includes(s.id) ? s.r - d : d - s.r);
  }
  return least;
}

/** True when the point is inside every set of the zone and outside every other set, `margin` clear of each edge. */
export function inZone(p: Point, zone: string, margin = 0, sets: readonly SetCircle[] = SETS): boolean {
  return clearance(p, zone, sets) >= margin;
}

/** Points along a box's edges, every `step` units at most: a box is in a zone when all of them are. */
export function boxOutline(box: Box, step = 3): Point[] {
  const points: Point[] = [];
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  const nx = Math.max(1, Math.ceil(w / step));
  const ny = Math.max(1, Math.ceil(h / step));
  for (let i = 0; i <= nx; i++) {
    const x = box.left + (w * i) / nx;
    points.push({ x, y: box.top }, { x, y: box.bottom });
  }
  for (let j = 1; j < ny; j++) {
    const y = box.top + (h * j) / ny;
    points.push({ x: box.left, y }, { x: box.right, y });
  }
  return points;
}

export function boxInZone(box: Box, zone: string, margin = 0, sets: readonly SetCircle[] = SETS): boolean {
  return boxOutline(box).every((p) => inZone(p, zone, margin, sets));
}

export function boxesOverlap(a: Box, b: Box, gap = 0): boolean {
  return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
}

// Advance widths of printable ASCII (32–126) in DejaVu Sans, in hundredths of an em: one of the
// widest common sans-serif faces, so labels measured with it fit in narrower system fonts too.
const ASCII_WIDTHS = [
  32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34, 84, 84,
  84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39,
  34, 39, 84, 50, 50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59,
  52, 64, 34, 64, 84,
];
/** Semibold is about a tenth wider than regular. */
const BOLD_FACTOR = 1.1;

/** Width of a text in a sans-serif font of the given size (an upper estimate, without a DOM). */
export function textWidth(text: string, fontSize = FONT_SIZE, bold = false): number {
  let hundredths = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    hundredths += code >= 32 && code < 127 ? (ASCII_WIDTHS[code - 32] ?? 64) : 70;
  }
  return (hundredths / 100) * fontSize * (bold ? BOLD_FACTOR : 1);
}

function boxFor(x: number, y: number, label: string): Box {
  return {
    left: x - DOT_RADIUS - 2,
    top: y - HALF_BOX,
    right: x + TEXT_OFFSET + textWidth(label) + 2,
    bottom: y + HALF_BOX,
  };
}

function boxWidth(label: string): number {
  const b = boxFor(0, 0, label);
  return b.right - b.left;
}

/**
 * The point of a zone farthest from every circle's edge (searched on a grid of `step`). A zone
 * too small to hold a label is an error: the data asks for an overlap the drawing does not have.
 */
export function zoneCentre(zone: string, sets: readonly SetCircle[] = SETS, step = 4): Point {
  if (zone === '') return OUTSIDE_ANCHOR;
  let best: Point = { x: 0, y: 0 };
  let bestClearance = -Infinity;
  for (let y = EDGE; y <= HEIGHT - EDGE; y += step) {
    for (let x = EDGE; x <= WIDTH - EDGE; x += step) {
      const c = Math.min(clearance({ x, y }, zone, sets), x, WIDTH - x, y, HEIGHT - y);
      if (c > bestClearance) {
        bestClearance = c;
        best = { x, y };
      }
    }
  }
  if (bestClearance < HALF_BOX + ZONE_MARGIN) {
    throw new Error(
      `the taxonomy map has no room for a method in [${zoneMembers(zone).join(', ')}]: ` +
        'move or resize the circles in SETS (components/taxonomy/layout.ts) so that overlap exists',
    );
  }
  return best;
}

/** One zone's placement work: its circles, centre, and the horizontal stretches already measured. */
class ZonePlacer {
  private spans = new Map<number, { from: number; to: number } | null>();

  constructor(
    private readonly zone: string,
    private readonly sets: readonly SetCircle[],
    readonly centre: Point,
  ) {}

  /**
   * The stretch of the zone that holds a row at height y, around the centre's x: the interval of
   * whole x where a box of the row's height stays ZONE_MARGIN inside the zone.
   */
  private span(y: number): { from: number; to: number } | null {
    const cached = this.spans.get(y);
    if (cached !== undefined) return cached;
    const fits = (x: number) =>
      x >= EDGE && x <= WIDTH - EDGE && [y - HALF_BOX, y, y + HALF_BOX].every((yy) => inZone({ x, y: yy }, this.zone, ZONE_MARGIN, this.sets));
    let start: number | null = Math.round(this.centre.x);
    if (!fits(start)) {
      // In a curved zone a row away from the centre may only fit to one side of it.
      start = null;
      for (let d = 1; d < WIDTH && start === null; d++) {
        if (fits(this.centre.x - d)) start = Math.round(this.centre.x - d);
        else if (fits(this.centre.x + d)) start = Math.round(this.centre.x + d);
      }
    }
    let result: { from: number; to: number } | null = null;
    if (start !== null) {
      let from = start;
      let to = start;
      while (fits(from - 1)) from--;
      while (fits(to + 1)) to++;
      result = { from, to };
    }
    this.spans.set(y, result);
    return result;
  }

  /** The rows centred at height centreY, each slid sideways into the zone; null if one does not fit. */
  fit(rows: readonly LayoutInput[][], centreY: number, checked: boolean): PlacedMethod[] | null {
    const firstY = Math.round(centreY - ((rows.length - 1) * ROW_HEIGHT) / 2);
    const placed: PlacedMethod[] = [];
    for (const [i, row] of rows.entries()) {
      const y = firstY + i * ROW_HEIGHT;
      const widths = row.map((m) => boxWidth(m.label));
      const rowWidth = widths.reduce((a, b) => a + b, 0) + COLUMN_GAP * (row.length - 1);
      let left = this.centre.x - rowWidth / 2;
      if (checked) {
        const span = this.span(y);
        if (!span || span.to - span.from < rowWidth) return null;
        left = Math.min(Math.max(left, span.from), span.to - rowWidth);
      }
      row.forEach((m, j) => {
        const x = Math.round((left + DOT_RADIUS + 2) * 10) / 10;
        placed.push({ id: m.id, label: m.label, x, y, textX: x + TEXT_OFFSET, box: boxFor(x, y, m.label), zone: this.zone });
        left += (widths[j] ?? 0) + COLUMN_GAP;
      });
    }
    return placed;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

/** How far the block stays from the zone's edges: the least clearance of any point on any box. */
function comfort(placed: readonly PlacedMethod[], zone: string, sets: readonly SetCircle[]): number {
  let least = Infinity;
  for (const p of placed) for (const point of boxOutline(p.box, 6)) least = Math.min(least, clearance(point, zone, sets));
  return least;
}

/**
 * Lays a zone's methods out in centred rows around the zone's centre, moved up or down (within
 * MAX_SHIFT) to where the block stays farthest from the zone's edges. Rows are as long as fit
 * comfortably: about √(1.5 n) methods, as the figure groups its names, fewer where the zone is
 * narrow. Members keep the order they are given in.
 */
function placeZone(zone: string, members: readonly LayoutInput[], sets: readonly SetCircle[]): PlacedMethod[] {
  const placer = new ZonePlacer(zone, sets, zoneCentre(zone, sets));
  if (zone === '') return placer.fit([members.slice()], placer.centre.y, false) ?? [];
  const widest = Math.min(MAX_PER_ROW, members.length, Math.round(Math.sqrt(1.5 * members.length)));
  let best: Block | null = null;
  for (let perRow = widest; perRow >= 1; perRow--) {
    const block = bestHeight(placer, chunk(members, perRow), zone, sets);
    if (block && (!best || block.comfort > best.comfort + 0.5)) best = block;
    if (best && best.comfort >= COMFORTABLE) break;
  }
  // Nothing fits: draw the methods at the centre anyway; layout.test.ts reports the overflow.
  return best?.placed ?? placer.fit(chunk(members, 1), placer.centre.y, false) ?? [];
}

interface Block {
  placed: PlacedMethod[];
  comfort: number;
}

/** The rows at the height, within MAX_SHIFT of the zone's centre, where they stay farthest from its edges. */
function bestHeight(placer: ZonePlacer, rows: readonly LayoutInput[][], zone: string, sets: readonly SetCircle[]): Block | null {
  let best: Block | null = null;
  for (let shift = 0; shift <= MAX_SHIFT; shift += 2) {
    for (const dy of shift === 0 ? [0] : [-shift, shift]) {
      const placed = placer.fit(rows, placer.centre.y + dy, true);
      if (!placed) continue;
      const c = comfort(placed, zone, sets);
      if (!best || c > best.comfort + 0.5) best = { placed, comfort: c };
    }
  }
  return best;
}

/** The set names with their boxes and leader lines. */
function placeSetNames(sets: readonly SetCircle[]): PlacedSetName[] {
  return sets.map((s) => {
    const width = textWidth(s.name, SET_NAME_SIZE, true);
    const left = s.leader.side === 'left';
    const x = left ? EDGE : WIDTH - EDGE;
    const y = s.leader.y - 6;
    return {
      id: s.id,
      name: s.name,
      x,
      y,
      anchor: left ? 'start' : 'end',
      box: { left: left ? x : x - width, right: left ? x + width : x, top: y - SET_NAME_SIZE, bottom: s.leader.y + 2 },
      line: { x1: left ? EDGE : WIDTH - EDGE, x2: s.leader.x, y: s.leader.y },
    };
  });
}

/** Places every method in its zone. Members of a zone keep the order they are given in. */
export function layoutTaxonomy(methods: readonly LayoutInput[], sets: readonly SetCircle[] = SETS): TaxonomyLayout {
  const byZone = new Map<string, LayoutInput[]>();
  for (const m of methods) {
    const key = zoneKey(m.regions);
    byZone.set(key, [...(byZone.get(key) ?? []), m]);
  }
  const placed = new Map<string, PlacedMethod>();
  for (const [zone, members] of byZone) for (const p of placeZone(zone, members, sets)) placed.set(p.id, p);
  return {
    width: WIDTH,
    height: HEIGHT,
    sets,
    setNames: placeSetNames(sets),
    methods: methods.map((m) => {
      const p = placed.get(m.id);
      if (!p) throw new Error(`method ${m.id} was not placed`);
      return p;
    }),
  };
}
