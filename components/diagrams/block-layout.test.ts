import { describe, expect, it } from 'vitest';
import { type Attachment, BLOCK_PARTS } from '@/lib/peft/method-api/anatomy';
import { BADGE_FONT, DIAGRAM_WIDTH, LABEL_FONT, type Rect, badgeTextWidth, layoutBlock, sideText, textWidth, wrapText } from './block-layout';

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (inner: Rect, outer: Rect) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;

const lora: Attachment[] = [
  { part: 'attn.q', kind: 'added', note: 'rank-r update BA' },
  { part: 'attn.v', kind: 'added', note: 'rank-r update BA' },
];
const everything: Attachment[] = BLOCK_PARTS.flatMap((part) => [
  { part, kind: 'trained' as const, note: 'all weights' },
  { part, kind: 'added' as const, note: 'a module with a rather long description that must wrap over several lines' },
  { part, kind: 'changed' as const, note: 'quantised to 4 bits' },
]);
const cases: [string, Attachment[]][] = [
  ['nothing', []],
  ['LoRA on q and v', lora],
  ['every kind on every part', everything],
];

describe('layoutBlock', () => {
  it.each(cases)('%s: draws every block part exactly once, in reading order', (_, attachments) => {
    expect(layoutBlock(attachments).parts.map((p) => p.part)).toEqual([...BLOCK_PARTS]);
  });

  it.each(cases)('%s: no two boxes overlap, and every box lies inside the view box', (_, attachments) => {
    const l = layoutBlock(attachments);
    const view = { x: 0, y: 0, w: l.width, h: l.height };
    const boxes: Rect[] = [...l.parts, ...l.plain, ...l.sides, ...l.adds.map((a) => ({ x: a.cx - a.r, y: a.cy - a.r, w: 2 * a.r, h: 2 * a.r }))];
    for (const [i, a] of boxes.entries()) {
      expect(inside(a, view), `box ${i} outside the view box`).toBe(true);
      for (const b of boxes.slice(i + 1)) expect(overlap(a, b), `boxes overlap: ${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(false);
    }
  });

  it.each(cases)('%s: badges sit inside their box, clear of the label and of each other', (_, attachments) => {
    for (const box of layoutBlock(attachments).parts) {
      const label: Rect = {
        x: box.labelAnchor === 'middle' ? box.labelX - textWidth(box.label, LABEL_FONT) / 2 : box.labelX,
        y: box.labelY - LABEL_FONT,
        w: textWidth(box.label, LABEL_FONT),
        h: LABEL_FONT,
      };
      expect(inside(label, box), `${box.part}: label outside its box`).toBe(true);
      for (const [i, badge] of box.badges.entries()) {
        expect(inside(badge, box), `${box.part}: ${badge.kind} badge outside its box`).toBe(true);
        expect(badgeTextWidth(badge.kind)).toBeLessThan(badge.w);
        expect(overlap(badge, label), `${box.part}: ${badge.kind} badge covers the label`).toBe(false);
        for (const other of box.badges.slice(i + 1)) expect(overlap(badge, other)).toBe(false);
      }
    }
  });

  it.each(cases)('%s: the text of a side box fits inside it', (_, attachments) => {
    for (const side of layoutBlock(attachments).sides) {
      for (const line of side.lines) expect(textWidth(line, LABEL_FONT), line).toBeLessThanOrEqual(side.w - 8 - 12);
      expect(side.lines.length * 15).toBeLessThanOrEqual(side.h);
    }
  });

  it('marks the parts a method touches with their kinds, and only those', () => {
    const l = layoutBlock(lora);
    const marked = l.parts.filter((p) => p.kinds.length > 0);
    expect(marked.map((p) => [p.part, p.kinds])).toEqual([
      ['attn.q', ['added']],
      ['attn.v', ['added']],
    ]);
  });

  it('draws added modules beside their row, one box per row, with the parts named when a row has several', () => {
    const l = layoutBlock(lora);
    expect(l.sides).toHaveLength(1);
    const [side] = l.sides;
    expect(side?.parts).toEqual(['attn.q', 'attn.v']);
    expect(side?.lines.join(' ')).toBe('+ q, v: rank-r update BA');
    const q = l.parts.find((p) => p.part === 'attn.q');
    expect(side?.y).toBe(q?.y);
    expect(side && side.x).toBeGreaterThan(Math.max(...l.parts.map((p) => p.x + p.w)));
    expect(layoutBlock([{ part: 'input', kind: 'added', note: 'soft prompt' }]).sides[0]?.lines).toEqual(['+ soft prompt']);
  });

  it('writes a note repeated down the block once, then "as above"', () => {
    const note = 'update projected from one shared vector';
    const sides = layoutBlock([{ part: 'attn.o', kind: 'added', note }, { part: 'ffn.up', kind: 'added', note }, { part: 'ffn.down', kind: 'added', note: 'other' }]).sides;
    expect(sides.map((s) => s.lines.join(' '))).toEqual([`+ ${note}`, '+ as above', '+ other']);
  });

  it('trained and changed parts get no side box', () => {
    expect(layoutBlock([{ part: 'ffn.up', kind: 'trained', note: 'bias' }, { part: 'attn.q', kind: 'changed', note: 'NF4' }]).sides).toEqual([]);
  });

  it('keeps the view box narrow enough for 11 px text on a 375 px phone', () => {
    // 343 px of content at 375 px: one unit must not render smaller than 343 / width px.
    expect((BADGE_FONT * 343) / DIAGRAM_WIDTH).toBeGreaterThanOrEqual(11);
  });
});

describe('wrapText and sideText', () => {
  it('wraps at word boundaries within the width', () => {
    const lines = wrapText('one two three four five six seven eight nine ten', 60, 12);
    expect(lines.join(' ')).toBe('one two three four five six seven eight nine ten');
    for (const line of lines) expect(textWidth(line, 12)).toBeLessThanOrEqual(60);
  });

  it('lists each note with its parts when notes differ', () => {
    expect(
      sideText([
        { part: 'attn.k', kind: 'added', note: 'l_k' },
        { part: 'attn.v', kind: 'added', note: 'l_v' },
      ]),
    ).toEqual(['+ k: l_k', '+ v: l_v']);
    const wrapped = sideText([{ part: 'attn.k', kind: 'added', note: 'one learned vector for every layer of the model' }]);
    expect(wrapped.length).toBeGreaterThan(1);
    expect(wrapped.join(' ')).toBe('+ one learned vector for every layer of the model');
  });
});
