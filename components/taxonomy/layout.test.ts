import { describe, expect, it } from 'vitest';
import { taxonomy } from '@/lib/peft/taxonomy';
import { mapLabel } from './labels';
import {
  DOT_RADIUS,
  HEIGHT,
  SETS,
  WIDTH,
  boxInZone,
  boxesOverlap,
  clearance,
  layoutTaxonomy,
  setsAt,
  textWidth,
  zoneKey,
  type Box,
  type SetCircle,
} from './layout';

const input = taxonomy.methods.map((m) => ({ id: m.id, label: mapLabel(m.name), regions: m.regions }));
const layout = layoutTaxonomy(input);
const placed = new Map(layout.methods.map((p) => [p.id, p]));
const circle = (id: string) => SETS.find((s) => s.id === id)!;

function dotOf(id: string) {
  const p = placed.get(id);
  if (!p) throw new Error(`${id} is not on the map`);
  return p;
}

describe('the taxonomy map layout', () => {
  it('places every method of the taxonomy exactly once', () => {
    expect(layout.methods.map((p) => p.id).sort()).toEqual(taxonomy.methods.map((m) => m.id).sort());
  });

  it("puts every method's dot inside exactly the sets it belongs to, clear of every edge", () => {
    for (const m of taxonomy.methods) {
      const dot = dotOf(m.id);
      expect(setsAt(dot), m.id).toEqual(zoneKey(m.regions).split('+').filter(Boolean));
      // The whole dot, not just its centre, is on the right side of every circle.
      expect(clearance(dot, dot.zone), m.id).toBeGreaterThanOrEqual(DOT_RADIUS + 2);
    }
  });

  it("keeps every method's label inside its zone too", () => {
    for (const p of layout.methods) {
      if (p.zone === '') continue;
      expect(boxInZone(p.box, p.zone, 2), `${p.id} (${p.label})`).toBe(true);
    }
  });

  it('draws nothing on top of anything else', () => {
    const boxes: { name: string; box: Box }[] = [
      ...layout.methods.map((p) => ({ name: p.id, box: p.box })),
      ...layout.setNames.map((n) => ({ name: `${n.id} name`, box: n.box })),
    ];
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) expect(boxesOverlap(a.box, b.box, 2), `${a.name} and ${b.name}`).toBe(false);
    }
    // No leader line runs through a method's label.
    for (const n of layout.setNames) {
      const line: Box = { left: Math.min(n.line.x1, n.line.x2), right: Math.max(n.line.x1, n.line.x2), top: n.line.y, bottom: n.line.y };
      for (const p of layout.methods) expect(boxesOverlap(line, p.box, 1), `${n.id} leader and ${p.id}`).toBe(false);
    }
  });

  it('keeps all text on the drawing', () => {
    for (const { box } of [...layout.methods, ...layout.setNames]) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(WIDTH);
      expect(box.bottom).toBeLessThanOrEqual(HEIGHT);
    }
  });

  it("ends each set name's leader line inside that set", () => {
    for (const n of layout.setNames) expect(setsAt({ x: n.line.x2, y: n.line.y }), n.id).toContain(n.id);
  });

  it("draws the survey figure's sets: adapters and soft prompts inside additive, selective apart from soft prompts", () => {
    const inside = (inner: SetCircle, outer: SetCircle) => Math.hypot(inner.cx - outer.cx, inner.cy - outer.cy) + inner.r <= outer.r;
    const apart = (a: SetCircle, b: SetCircle) => Math.hypot(a.cx - b.cx, a.cy - b.cy) >= a.r + b.r;
    expect(inside(circle('adapters'), circle('additive'))).toBe(true);
    expect(inside(circle('soft-prompts'), circle('additive'))).toBe(true);
    expect(apart(circle('selective'), circle('soft-prompts'))).toBe(true);
  });

  it("puts the figure's hybrids in the overlaps of the families they combine", () => {
    expect(setsAt(dotOf('s4'))).toEqual(['additive', 'adapters', 'selective', 'reparametrization']);
    expect(setsAt(dotOf('unipelt'))).toEqual(['additive', 'adapters', 'soft-prompts', 'reparametrization']);
    expect(setsAt(dotOf('mam-adapter'))).toEqual(['additive', 'adapters', 'soft-prompts']);
    expect(setsAt(dotOf('sparse-adapter'))).toEqual(['additive', 'adapters', 'selective']);
    expect(setsAt(dotOf('compacter'))).toEqual(['additive', 'adapters', 'reparametrization']);
    expect(setsAt(dotOf('sparse-lora'))).toEqual(['selective', 'reparametrization']);
    expect(setsAt(dotOf('full-fine-tuning'))).toEqual([]);
  });

  it('is deterministic', () => {
    expect(layoutTaxonomy(input)).toEqual(layout);
  });

  it('refuses a region it does not know, and an overlap the drawing does not have', () => {
    expect(() => layoutTaxonomy([{ id: 'x', label: 'X', regions: ['additive', 'lowrank'] }])).toThrow(/unknown taxonomy region "lowrank"/);
    // Selective and soft prompts do not overlap in the figure, so nothing can sit in both.
    expect(() => layoutTaxonomy([{ id: 'x', label: 'X', regions: ['additive', 'soft-prompts', 'selective'] }])).toThrow(/no room/);
    // Moving reparametrization away from the adapters-soft prompts overlap leaves UniPELT nowhere to go.
    const moved = SETS.map((s) => (s.id === 'reparametrization' ? { ...s, cx: s.cx + 150 } : s));
    expect(() => layoutTaxonomy(input, moved)).toThrow(/no room for a method in \[additive, adapters, soft-prompts, reparametrization\]/);
  });

  it('measures text wider for wider letters and longer names', () => {
    expect(textWidth('WWW')).toBeGreaterThan(textWidth('iii'));
    expect(textWidth('Parallel Adapter')).toBeGreaterThan(textWidth('Adapter'));
    expect(textWidth('LoRA', 26)).toBeCloseTo(2 * textWidth('LoRA', 13));
  });
});
