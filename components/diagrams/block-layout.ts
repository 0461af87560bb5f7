import { type Attachment, type AttachmentKind, BLOCK_PARTS, type BlockPart } from '@/lib/peft/method-api/anatomy';

/**
 * Geometry of the "where it attaches" diagram: one pre-norm transformer block drawn top to
 * bottom, every BLOCK_PART a box, and the modules a method adds beside the part they attach to.
 * Pure, so the invariants (no overlaps, everything inside the view box) are unit-tested.
 *
 * The view box is 340 units wide so that on a 375 px phone (343 px of content) one unit is
 * about one pixel and 11-unit text stays 11 px.
 */

export const DIAGRAM_WIDTH = 340;
export const LABEL_FONT = 12;
export const BADGE_FONT = 11;

const RESIDUAL_X = 8;
const MAIN_X = 16;
const MAIN_W = 184;
const SIDE_X = 208;
const SIDE_W = DIAGRAM_WIDTH - SIDE_X - 2;
const ROW_H = 28;
const GAP = 14;
const QKV_GAP = 4;
const BADGE_H = 16;
const BADGE_GAP = 3;
const SIDE_LINE_H = 15;
const PAD = 6;
export const STRIP_W = 8;

/** Kinds in the order they are listed and stacked. */
export const KINDS: readonly AttachmentKind[] = ['trained', 'added', 'changed'];

/** Short labels drawn in the boxes. */
export const PART_SHORT_LABELS: Record<BlockPart, string> = {
  input: 'Input tokens',
  embedding: 'Token embedding',
  'attn.norm': 'Norm',
  'attn.q': 'q proj',
  'attn.k': 'k proj',
  'attn.v': 'v proj',
  'attn.kv-prefix': 'k/v prefix slot',
  'attn.o': 'o proj',
  'attn.output': 'Attention output',
  'ffn.norm': 'Norm',
  'ffn.up': 'Up projection',
  'ffn.hidden': 'Activation',
  'ffn.down': 'Down projection',
  'ffn.output': 'FFN output',
  'block.output': 'Block output',
  final: 'Final norm',
  head: 'LM head',
};

/** Full names for the list under the diagram and for screen readers. */
export const PART_LABELS: Record<BlockPart, string> = {
  input: 'Input tokens',
  embedding: 'Token embedding',
  'attn.norm': 'Attention norm',
  'attn.q': 'Attention q projection',
  'attn.k': 'Attention k projection',
  'attn.v': 'Attention v projection',
  'attn.kv-prefix': 'Key/value prefix slot',
  'attn.o': 'Attention output projection',
  'attn.output': 'Attention sublayer output',
  'ffn.norm': 'FFN norm',
  'ffn.up': 'FFN up projection',
  'ffn.hidden': 'FFN hidden activation',
  'ffn.down': 'FFN down projection',
  'ffn.output': 'FFN sublayer output',
  'block.output': 'Block output (residual stream)',
  final: 'Final norm, after the last block',
  head: 'LM head',
};

/** Rough width of text in the diagram's sans-serif font, generous so estimates do not undershoot:
 * measured in Chromium with DejaVu Sans, a wide fallback, labels average under 0.6 em a character
 * and the badges' words under 0.65 em. */
export function textWidth(text: string, fontSize: number, emPerChar = 0.6): number {
  return text.length * fontSize * emPerChar;
}

export const badgeTextWidth = (kind: AttachmentKind) => textWidth(kind, BADGE_FONT, 0.65);

/** Splits text into lines that fit `width` at `fontSize` (a word longer than a line gets its own). */
export function wrapText(text: string, width: number, fontSize: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, fontSize) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Badge extends Rect {
  kind: AttachmentKind;
}

export interface PartBox extends Rect {
  part: BlockPart;
  label: string;
  kinds: AttachmentKind[];
  /** Where the label's baseline starts. */
  labelX: number;
  labelY: number;
  labelAnchor: 'start' | 'middle';
  badges: Badge[];
  /** A slot (the key/value prefix) is drawn dashed when nothing fills it. */
  slot: boolean;
  /** Where the kind's pattern goes: a band along the left edge, or the top edge of narrow boxes. */
  strip: Rect;
}

/** A module a method adds off the main path, beside the row of the part(s) it attaches to. */
export interface SideBox extends Rect {
  parts: BlockPart[];
  lines: string[];
  /** The connector from the main column to the box, at the row's middle. */
  connector: { x1: number; x2: number; y: number };
}

/** Boxes that are part of the picture but not of BLOCK_PARTS (attention scores). */
export interface PlainBox extends Rect {
  label: string;
}

export interface Arrow {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface ResidualAdd {
  cx: number;
  cy: number;
  r: number;
  /** The residual path: from where the sublayer's input branches off to the add. */
  from: number;
}

export interface BlockLayout {
  width: number;
  height: number;
  parts: PartBox[];
  plain: PlainBox[];
  sides: SideBox[];
  arrows: Arrow[];
  adds: ResidualAdd[];
  /** The repeated block, with its label in its top right corner, clear of the main arrow. */
  frame: Rect & { labelY: number };
}

function kindsByPart(attachments: readonly Attachment[]): Map<BlockPart, AttachmentKind[]> {
  const kinds = new Map<BlockPart, AttachmentKind[]>();
  for (const a of attachments) {
    const list = kinds.get(a.part) ?? [];
    if (!list.includes(a.kind)) list.push(a.kind);
    kinds.set(a.part, list);
  }
  for (const list of kinds.values()) list.sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b));
  return kinds;
}

export function badgeWidth(kind: AttachmentKind): number {
  return Math.ceil(badgeTextWidth(kind)) + 6;
}

/**
 * The text of a side box for the added modules of one row: the note, prefixed by the parts when
 * the row holds several (q, v: …) and listing each part's note when they differ. A note already
 * written in an earlier box (`shown`) reads "as above", so a method that adds the same thing
 * everywhere does not repeat it down the whole block.
 */
export function sideText(added: readonly Attachment[], shown: ReadonlySet<string> = new Set()): string[] {
  const byNote = new Map<string, BlockPart[]>();
  for (const a of added) byNote.set(a.note, [...(byNote.get(a.note) ?? []), a.part]);
  const many = new Set(added.map((a) => a.part)).size > 1;
  const lines: string[] = [];
  for (const [note, parts] of byNote) {
    const prefix = many ? `${parts.map((p) => PART_SHORT_LABELS[p].replace(/ proj$/, '')).join(', ')}: ` : '';
    lines.push(...wrapText(`+ ${prefix}${shown.has(note) ? 'as above' : note}`, SIDE_W - 2 * PAD - STRIP_W, LABEL_FONT));
  }
  return lines;
}

/** Height a box needs for its label and badges, and where they go. */
function placeContent(box: Rect, label: string, kinds: readonly AttachmentKind[], centred: boolean) {
  const bw = Math.max(0, ...kinds.map(badgeWidth));
  const labelW = textWidth(label, LABEL_FONT);
  const inner = box.w - STRIP_W - 2 * PAD;
  const besideLabel = !centred && kinds.length > 0 && labelW + PAD + bw <= inner;
  const stackH = kinds.length * BADGE_H + Math.max(0, kinds.length - 1) * BADGE_GAP;
  const h = besideLabel ? Math.max(ROW_H, stackH + 2 * PAD) : kinds.length === 0 ? ROW_H : ROW_H + stackH + PAD - 2 + (centred ? STRIP_W : 0);
  return { h, besideLabel, bw, stackH };
}

/** Lays out the diagram for a method's attachments (an empty list draws the frozen model). */
export function layoutBlock(attachments: readonly Attachment[]): BlockLayout {
  const kinds = kindsByPart(attachments);
  const added = (parts: readonly BlockPart[]) => attachments.filter((a) => a.kind === 'added' && parts.includes(a.part));
  const parts: PartBox[] = [];
  const plain: PlainBox[] = [];
  const sides: SideBox[] = [];
  const arrows: Arrow[] = [];
  const adds: ResidualAdd[] = [];
  const shownNotes = new Set<string>();
  let y = 8;

  /** One row of boxes side by side in the main column; returns the boxes (height = the tallest). */
  const row = (cells: readonly { part: BlockPart; x: number; w: number; slot?: boolean }[]): PartBox[] => {
    const centred = cells.length > 1 || cells[0]?.slot === true;
    const placed = cells.map((c) => ({ c, k: kinds.get(c.part) ?? [], ...placeContent({ x: c.x, y, w: c.w, h: ROW_H }, PART_SHORT_LABELS[c.part], kinds.get(c.part) ?? [], centred) }));
    const mainH = Math.max(...placed.map((p) => p.h));
    const sideAttachments = added(cells.map((c) => c.part));
    const lines = sideAttachments.length > 0 ? sideText(sideAttachments, shownNotes) : [];
    for (const a of sideAttachments) shownNotes.add(a.note);
    const sideH = lines.length > 0 ? lines.length * SIDE_LINE_H + 2 * PAD : 0;
    const h = Math.max(mainH, sideH);
    const boxes = placed.map(({ c, k, besideLabel, bw, stackH }): PartBox => {
      const labelX = centred ? c.x + c.w / 2 : c.x + STRIP_W + PAD;
      const labelY = besideLabel || k.length === 0 ? y + h / 2 + LABEL_FONT * 0.35 : y + (centred ? STRIP_W : 0) + PAD + LABEL_FONT * 0.85;
      const strip = centred ? { x: c.x + 1, y: y + 1, w: c.w - 2, h: STRIP_W - 2 } : { x: c.x + 1, y: y + 1, w: STRIP_W, h: h - 2 };
      const badgeTop = besideLabel ? y + (h - stackH) / 2 : labelY + PAD;
      const badgeX = (kind: AttachmentKind) => (besideLabel ? c.x + c.w - PAD - bw : centred ? labelX - badgeWidth(kind) / 2 : c.x + STRIP_W + PAD);
      const badges = k.map((kind, i): Badge => ({ kind, x: badgeX(kind), y: badgeTop + i * (BADGE_H + BADGE_GAP), w: besideLabel ? bw : badgeWidth(kind), h: BADGE_H }));
      return { part: c.part, label: PART_SHORT_LABELS[c.part], kinds: k, x: c.x, y, w: c.w, h, labelX, labelY, labelAnchor: centred ? 'middle' : 'start', badges, slot: c.slot === true, strip };
    });
    if (lines.length > 0) {
      const last = boxes.reduce((a, b) => (b.x + b.w > a.x + a.w ? b : a));
      sides.push({ parts: sideAttachments.map((a) => a.part).filter((p, i, all) => all.indexOf(p) === i), lines, x: SIDE_X, y, w: SIDE_W, h, connector: { x1: last.x + last.w, x2: SIDE_X, y: y + h / 2 } });
    }
    parts.push(...boxes);
    y += h;
    return boxes;
  };
  const nth = (boxes: readonly PartBox[], i: number): PartBox => {
    const box = boxes[i];
    if (!box) throw new Error('block layout: a row lost a box');
    return box;
  };
  const single = (part: BlockPart) => nth(row([{ part, x: MAIN_X, w: MAIN_W }]), 0);
  const plainRow = (label: string, h = ROW_H) => {
    const box = { label, x: MAIN_X, y, w: MAIN_W, h };
    plain.push(box);
    y += h;
    return box;
  };
  const down = (from: Rect, to: Rect) => {
    const x = Math.min(Math.max(from.x + from.w / 2, to.x + 4), to.x + to.w - 4);
    arrows.push({ x1: x, y1: from.y + from.h, x2: x, y2: to.y });
  };
  const gap = (size = GAP) => {
    y += size;
  };
  const residual = (from: number) => {
    const r = 9;
    const add = { cx: MAIN_X + MAIN_W / 2, cy: y + r, r, from };
    adds.push(add);
    y += 2 * r;
    return { x: add.cx - r, y: add.cy - r, w: 2 * r, h: 2 * r };
  };

  const input = single('input');
  gap();
  const embedding = single('embedding');
  gap();
  const frameTop = y;
  const labelY = y + 15;
  y += 30;

  // Attention sublayer.
  const attnIn = y - 6;
  const attnNorm = single('attn.norm');
  gap();
  const cellW = (MAIN_W - 2 * QKV_GAP) / 3;
  const qkv = row((['attn.q', 'attn.k', 'attn.v'] as const).map((part, i) => ({ part, x: MAIN_X + i * (cellW + QKV_GAP), w: cellW })));
  const [q, k, v] = [nth(qkv, 0), nth(qkv, 1), nth(qkv, 2)];
  gap(10);
  const slotX = MAIN_X + cellW + QKV_GAP;
  const prefix = nth(row([{ part: 'attn.kv-prefix', x: slotX, w: MAIN_W - cellW - QKV_GAP, slot: true }]), 0);
  gap(10);
  const scores = plainRow('softmax(q·kᵀ)·v');
  gap();
  const o = single('attn.o');
  gap();
  const attnOut = single('attn.output');
  gap(10);
  const add1 = residual(attnIn);
  gap(12);

  // Feed-forward sublayer.
  const ffnIn = y - 6;
  const ffnNorm = single('ffn.norm');
  gap();
  const up = single('ffn.up');
  gap();
  const hidden = single('ffn.hidden');
  gap();
  const ffnDown = single('ffn.down');
  gap();
  const ffnOut = single('ffn.output');
  gap(10);
  const add2 = residual(ffnIn);
  gap(10);
  const blockOut = single('block.output');
  y += 10;
  const frame = { x: 2, y: frameTop, w: SIDE_X - 6, h: y - frameTop, labelY };
  gap();
  const finalNorm = single('final');
  gap();
  const head = single('head');
  y += 8;

  down(input, embedding);
  down(embedding, attnNorm);
  for (const b of [q, k, v]) arrows.push({ x1: b.x + b.w / 2, y1: attnNorm.y + attnNorm.h, x2: b.x + b.w / 2, y2: b.y });
  arrows.push({ x1: q.x + q.w / 2, y1: q.y + q.h, x2: q.x + q.w / 2, y2: scores.y });
  for (const b of [k, v]) arrows.push({ x1: b.x + b.w / 2, y1: b.y + b.h, x2: b.x + b.w / 2, y2: prefix.y });
  down(prefix, scores);
  down(scores, o);
  down(o, attnOut);
  down(attnOut, add1);
  down(add1, ffnNorm);
  down(ffnNorm, up);
  down(up, hidden);
  down(hidden, ffnDown);
  down(ffnDown, ffnOut);
  down(ffnOut, add2);
  down(add2, blockOut);
  down(blockOut, finalNorm);
  down(finalNorm, head);

  // Every BLOCK_PART is drawn exactly once; keep the reading order of BLOCK_PARTS.
  parts.sort((a, b) => BLOCK_PARTS.indexOf(a.part) - BLOCK_PARTS.indexOf(b.part));
  return { width: DIAGRAM_WIDTH, height: y, parts, plain, sides, arrows, adds, frame };
}

/** The x of the residual stream line, left of the main column. */
export const RESIDUAL_LINE_X = RESIDUAL_X;
