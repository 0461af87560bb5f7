/**
 * The taxonomy map's data, built on the server at build time: the taxonomy joined with the
 * implemented methods' traits, laid out once. Client components receive only the plain
 * `MapMethod` records (no zod, no registry).
 */
import type { MethodTraits } from '@/lib/peft/method-api/types';
import { METHODS } from '@/lib/peft/registry';
import { CATEGORY_LABELS, taxonomy, type TaxonomyMethod } from '@/lib/peft/taxonomy';
import { combinationName, mapLabel, zoneName } from './labels';
import { layoutTaxonomy, zoneKey, type TaxonomyLayout } from './layout';
import type { MapFilter } from './match';

/** One method as the map's client component sees it. */
export interface MapMethod {
  id: string;
  name: string;
  /** The short name written on the map. */
  label: string;
  summary: string | null;
  year: number | null;
  /** "Reparametrization-based", "Hybrid of adapters and selective", "Baseline". */
  family: string;
  category: string;
  later: boolean;
  filters: MapFilter[];
  /** Key properties of an implemented method; null when it is not implemented on the site. */
  properties: string[] | null;
  /** The dot's centre on the map, for arrow-key movement. */
  x: number;
  y: number;
}

/** A zone of the map with its methods, in reading order: the list view. */
export interface MapZone {
  key: string;
  name: string;
  methodIds: string[];
}

export interface TaxonomyMapModel {
  layout: TaxonomyLayout;
  methods: MapMethod[];
  zones: MapZone[];
}

const INFERENCE_WORDS: Record<MethodTraits['inference'], string> = {
  unchanged: 'Inference: no overhead (same architecture)',
  mergeable: 'Inference: no overhead once merged into the weights',
  'extra-modules': 'Inference: added modules run on every token',
  'longer-input': 'Inference: attends over added prompt positions',
};

/** Reading order: zone by zone as the map goes, the survey's methods before later ones, oldest first. */
const SURVEY_ORDER: Record<TaxonomyMethod['survey'], number> = { baseline: 0, 'v1-section': 1, 'v1-figure': 1, beyond: 2 };
const ZONE_ORDER = [
  'additive',
  'additive+adapters',
  'additive+soft-prompts',
  'additive+adapters+soft-prompts',
  'additive+adapters+soft-prompts+reparametrization',
  'additive+adapters+reparametrization',
  'additive+adapters+selective',
  'additive+adapters+selective+reparametrization',
  'selective',
  'selective+reparametrization',
  'reparametrization',
  '',
];

function zoneRank(key: string): number {
  const i = ZONE_ORDER.indexOf(key);
  return i === -1 ? ZONE_ORDER.length : i;
}

function filtersOf(m: TaxonomyMethod): MapFilter[] {
  const filters: MapFilter[] = [];
  for (const family of ['additive', 'selective', 'reparametrization'] as const) if (m.regions.includes(family)) filters.push(family);
  if (m.category === 'hybrid') filters.push('hybrid');
  if (m.survey === 'beyond') filters.push('later');
  return filters;
}

function familyOf(m: TaxonomyMethod): string {
  if (m.category === 'hybrid') return `Hybrid of ${combinationName(m.regions)}`;
  return CATEGORY_LABELS[m.category];
}

function propertiesOf(traits: MethodTraits | undefined): string[] | null {
  if (!traits) return null;
  return [INFERENCE_WORDS[traits.inference], `Backprop through the backbone: ${traits.backpropThroughBackbone ? 'yes' : 'no'}`];
}

export function buildTaxonomyMap(methods: readonly TaxonomyMethod[] = taxonomy.methods): TaxonomyMapModel {
  const ordered = [...methods].sort(
    (a, b) =>
      zoneRank(zoneKey(a.regions)) - zoneRank(zoneKey(b.regions)) ||
      SURVEY_ORDER[a.survey] - SURVEY_ORDER[b.survey] ||
      (a.paper?.year ?? 0) - (b.paper?.year ?? 0) ||
      a.name.localeCompare(b.name),
  );
  const layout = layoutTaxonomy(ordered.map((m) => ({ id: m.id, label: mapLabel(m.name), regions: m.regions })));
  const traits = new Map(METHODS.map((m) => [m.id, m.traits as MethodTraits]));
  const mapMethods = ordered.map((m, i): MapMethod => {
    const placed = layout.methods[i]!;
    return {
      id: m.id,
      name: m.name,
      label: placed.label,
      // Read defensively: summaries are being added to taxonomy.json method by method.
      summary: (m as { summary?: string }).summary ?? null,
      year: m.paper?.year ?? null,
      family: familyOf(m),
      category: m.category,
      later: m.survey === 'beyond',
      filters: filtersOf(m),
      properties: propertiesOf(traits.get(m.id)),
      x: placed.x,
      y: placed.y,
    };
  });
  const zones: MapZone[] = [];
  for (const [i, m] of ordered.entries()) {
    const key = layout.methods[i]!.zone;
    const zone = zones.find((z) => z.key === key);
    if (zone) zone.methodIds.push(m.id);
    else zones.push({ key, name: zoneName(m.regions), methodIds: [m.id] });
  }
  return { layout, methods: mapMethods, zones };
}

let cached: TaxonomyMapModel | undefined;
/** The map of the site's taxonomy, laid out once per build (the home page and /taxonomy/ share it). */
export function taxonomyMap(): TaxonomyMapModel {
  cached ??= buildTaxonomyMap();
  return cached;
}
