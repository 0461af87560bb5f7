import { describe, expect, it } from 'vitest';
import { METHODS } from '@/lib/peft/registry';
import { taxonomy } from '@/lib/peft/taxonomy';
import { taxonomyMap } from './map-data';

const model = taxonomyMap();
const method = (id: string) => model.methods.find((m) => m.id === id)!;

describe('the taxonomy map data', () => {
  it('lists every taxonomy method once, in the list view too', () => {
    expect(model.methods.map((m) => m.id).sort()).toEqual(taxonomy.methods.map((m) => m.id).sort());
    expect(model.zones.flatMap((z) => z.methodIds).sort()).toEqual(taxonomy.methods.map((m) => m.id).sort());
  });

  it("gives implemented methods their key properties from their traits, and no others", () => {
    expect(method('lora').properties).toEqual(['Inference: no overhead once merged into the weights', 'Backprop through the backbone: yes']);
    expect(method('lst').properties).toContain('Backprop through the backbone: no');
    expect(method('prompt-tuning').properties?.[0]).toMatch(/added prompt positions/);
    for (const m of model.methods) expect(m.properties !== null, m.id).toBe(METHODS.some((p) => p.id === m.id));
  });

  it('marks later methods and names what a hybrid combines', () => {
    expect(method('dora').later).toBe(true);
    expect(method('dora').filters).toEqual(['reparametrization', 'later']);
    expect(method('lora').later).toBe(false);
    expect(method('s4').family).toBe('Hybrid of adapters, selective and reparametrization-based');
    expect(method('s4').filters).toEqual(['additive', 'selective', 'reparametrization', 'hybrid']);
  });

  it("hands the client the dot positions the layout chose", () => {
    for (const [i, m] of model.methods.entries()) {
      expect(m.x).toBe(model.layout.methods[i]!.x);
      expect(m.y).toBe(model.layout.methods[i]!.y);
    }
  });

  it('lists zones in reading order, the survey methods of a zone before the later ones', () => {
    expect(model.zones[0]!.name).toBe('Other additive methods');
    const lowRank = model.zones.find((z) => z.key === 'reparametrization')!.methodIds.map(method);
    const firstLater = lowRank.findIndex((m) => m.later);
    expect(firstLater).toBeGreaterThan(0);
    expect(lowRank.slice(firstLater).every((m) => m.later)).toBe(true);
  });
});
