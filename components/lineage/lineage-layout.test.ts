import { describe, expect, it } from 'vitest';
import { lineageEdges } from '@/lib/peft/lineage';
import { taxonomy } from '@/lib/peft/taxonomy';
import { type Cubic, type LineageInputEdge, type LineageInputNode, type LineageLayout, NODE_FONT, NODE_W, layoutLineage, shortLabel } from './lineage-layout';

const lanes = [
  { id: 'a', label: 'Lane A' },
  { id: 'b', label: 'Lane B' },
  { id: 'empty', label: 'Nothing here' },
];
const nodes: LineageInputNode[] = [
  { id: 'base', label: 'Baseline', year: null, lane: 'a' },
  { id: 'root', label: 'Root', year: 2019, lane: 'a' },
  { id: 'same-year', label: 'Same year', year: 2019, lane: 'a' },
  { id: 'kid', label: 'Kid', year: 2021, lane: 'b' },
  { id: 'kid2', label: 'Kid 2', year: 2021, lane: 'b' },
  { id: 'grandkid', label: 'Grandkid', year: 2023, lane: 'a' },
  { id: 'loner', label: 'Loner', year: 2022, lane: 'b' },
  { id: 'late', label: 'Late', year: 2023, lane: 'b' },
];
const edges: LineageInputEdge[] = [
  { parent: 'base', child: 'root' },
  { parent: 'root', child: 'same-year' },
  { parent: 'root', child: 'kid' },
  { parent: 'same-year', child: 'kid2' },
  { parent: 'kid', child: 'grandkid' },
  { parent: 'kid2', child: 'grandkid' },
  // Across two columns, past Loner's column: must not run behind it.
  { parent: 'kid', child: 'late' },
  { parent: 'kid2', child: 'late' },
];

function bezier([a, b, c, d]: Cubic, t: number): [number, number] {
  const u = 1 - t;
  const at = (i: 0 | 1) => u * u * u * a[i] + 3 * u * u * t * b[i] + 3 * u * t * t * c[i] + t * t * t * d[i];
  return [at(0), at(1)];
}

/** The invariants every layout must keep: checked on a small example and on the site's real lineage. */
function expectSoundLayout(layout: LineageLayout, input: { nodes: readonly LineageInputNode[]; edges: readonly LineageInputEdge[] }) {
  expect(layout.nodes.map((n) => n.id).sort()).toEqual(input.nodes.map((n) => n.id).sort());
  for (const [i, a] of layout.nodes.entries()) {
    expect(a.x).toBeGreaterThanOrEqual(0);
    expect(a.y).toBeGreaterThanOrEqual(0);
    expect(a.x + a.w).toBeLessThanOrEqual(layout.width);
    expect(a.y + a.h).toBeLessThanOrEqual(layout.height);
    for (const b of layout.nodes.slice(i + 1)) {
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
    }
  }
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  expect(layout.edges).toHaveLength(input.edges.length);
  for (const e of layout.edges) {
    const p = at.get(e.parent);
    const c = at.get(e.child);
    expect(p, `edge from missing ${e.parent}`).toBeDefined();
    expect(c, `edge to missing ${e.child}`).toBeDefined();
    if (p && c) expect(p.x, `${e.parent} drawn right of its child ${e.child}`).toBeLessThanOrEqual(c.x);
    expect(e.path).toMatch(/^M[\d.]+,[\d.]+C/);
    // The drawn path is exactly the checked pieces: its numbers are their points, in order.
    const numbers = (e.path.match(/-?[\d.]+/g) ?? []).map(Number);
    expect(numbers).toEqual(e.segments.flatMap((seg, i) => (i === 0 ? seg : seg.slice(1)).flat()).map((v) => expect.closeTo(v, 6)));
    // The line starts at its parent, ends at its child, and never runs behind another method.
    const first = e.segments[0]?.[0];
    const last = e.segments.at(-1)?.[3];
    if (p && c && first && last) {
      expect(first[1]).toBeCloseTo(p.y + p.h / 2);
      expect(last[1]).toBeCloseTo(c.y + c.h / 2);
      for (const seg of e.segments) {
        for (let t = 0; t <= 1; t += 0.05) {
          const [x, y] = bezier(seg, t);
          for (const n of layout.nodes) {
            if (n.id === e.parent || n.id === e.child) continue;
            const behind = x > n.x + 0.5 && x < n.x + n.w - 0.5 && y > n.y + 0.5 && y < n.y + n.h - 0.5;
            expect(behind, `${e.parent} → ${e.child} runs behind ${n.id} at (${x.toFixed(0)}, ${y.toFixed(0)})`).toBe(false);
          }
        }
      }
    }
  }
  for (const lane of layout.lanes) {
    for (const n of layout.nodes.filter((m) => m.lane === lane.id)) {
      expect(n.y >= lane.y && n.y + n.h <= lane.y + lane.h, `${n.id} outside its lane`).toBe(true);
    }
  }
}

describe('layoutLineage', () => {
  const layout = layoutLineage(nodes, edges, lanes);

  it('keeps every node apart, inside the view, in its lane, with every edge between drawn nodes going forward in time', () => {
    expectSoundLayout(layout, { nodes, edges });
  });

  it('places methods by year on one linear scale, the baseline in its own column first', () => {
    const x = (id: string) => layout.nodes.find((n) => n.id === id)?.x ?? NaN;
    expect(x('base')).toBeLessThan(x('root'));
    expect(x('root')).toBe(x('same-year'));
    // 2019 → 2021 is twice 2021 → 2022: the gap year keeps its width.
    expect(x('kid') - x('root')).toBeCloseTo(2 * (x('loner') - x('kid')));
    expect(layout.columns.map((c) => c.label)).toEqual(['Baseline', '2019', '2020', '2021', '2022', '2023']);
  });

  it('draws only lanes that hold methods, in the given order', () => {
    const [a, b] = layout.lanes;
    expect(layout.lanes.map((l) => l.id)).toEqual(['a', 'b']);
    expect((a?.y ?? 0) + (a?.h ?? 0)).toBeLessThanOrEqual(b?.y ?? 0);
  });

  it('knows every ancestor and descendant, not just parents and children', () => {
    const grandkid = layout.nodes.find((n) => n.id === 'grandkid');
    expect(grandkid?.ancestors).toEqual(['base', 'kid', 'kid2', 'root', 'same-year']);
    expect(grandkid?.descendants).toEqual([]);
    expect(layout.nodes.find((n) => n.id === 'root')?.descendants).toEqual(['grandkid', 'kid', 'kid2', 'late', 'same-year']);
    expect(layout.nodes.find((n) => n.id === 'loner')?.ancestors).toEqual([]);
  });

  it('rejects an edge to a method that is not drawn, and one that goes back in time', () => {
    expect(() => layoutLineage(nodes, [...edges, { parent: 'root', child: 'ghost' }], lanes)).toThrow(/ghost/);
    expect(() => layoutLineage(nodes, [{ parent: 'grandkid', child: 'kid' }], lanes)).toThrow(/back in time/);
  });
});

describe('the site\'s lineage', () => {
  const lanes = [{ id: 'baseline', label: 'Baseline' }, ...['adapters', 'soft-prompts', 'other-additive', 'selective', 'low-rank', 'hybrid'].map((id) => ({ id, label: id }))];
  const nodes = taxonomy.methods.map((m) => ({ id: m.id, label: shortLabel(m.name), year: m.paper?.year ?? null, lane: m.subgroup ?? 'baseline' }));
  const edges = lineageEdges();
  const layout = layoutLineage(nodes, edges, lanes);

  it('draws every taxonomy method once, none overlapping, every edge between drawn methods and forward in time', () => {
    expect(layout.nodes).toHaveLength(taxonomy.methods.length);
    expectSoundLayout(layout, { nodes, edges });
  });

  it('writes every method\'s short name whole, without an ellipsis', () => {
    for (const n of nodes) expect(n.label, n.id).not.toMatch(/…$/);
  });

  it('connects DoRA to LoRA, and LoRA\'s descendants include DoRA', () => {
    expect(layout.edges.some((e) => e.parent === 'lora' && e.child === 'dora')).toBe(true);
    expect(layout.nodes.find((n) => n.id === 'lora')?.descendants).toContain('dora');
  });
});

describe('shortLabel', () => {
  it('writes the taxonomy map\'s short names, and every label fits its box', () => {
    expect(shortLabel('LoRA')).toBe('LoRA');
    expect(shortLabel('Ladder Side-Tuning (LST)')).toBe('LST');
    expect(shortLabel('Kronecker adapter with residual (KronA-B-res)')).toBe('KronA-B-res');
    expect(shortLabel('LLaMA-Adapter (adaption prompt)')).toBe('LLaMA-Adapter');
    for (const name of ['Lottery Ticket Sparse Fine-Tuning (LT-SFT)', 'An extremely long method name without any alias at all']) {
      expect(shortLabel(name).length * NODE_FONT * 0.57).toBeLessThanOrEqual(NODE_W - 14);
    }
  });
});
