/** Search and filters of the taxonomy map: pure, shared by the client component and its tests. */

/** The map's filters: the three families (everything inside that circle), hybrids, later methods. */
export const MAP_FILTERS = ['additive', 'selective', 'reparametrization', 'hybrid', 'later'] as const;
export type MapFilter = (typeof MAP_FILTERS)[number];

export const MAP_FILTER_LABELS: Record<MapFilter, string> = {
  additive: 'Additive',
  selective: 'Selective',
  reparametrization: 'Reparametrization-based',
  hybrid: 'Hybrid',
  later: 'Later methods',
};

/** What matching needs to know about a method. */
export interface Matchable {
  id: string;
  name: string;
  label: string;
  /** The filters the method passes. */
  filters: readonly MapFilter[];
}

export interface MapQuery {
  text: string;
  /** '' shows every method. */
  filter: MapFilter | '';
}

export const EMPTY_QUERY: MapQuery = { text: '', filter: '' };

/** Lower case, with spaces, hyphens and dots ignored: "lora fa" finds LoRA-FA, "ptuning" P-Tuning. */
function fold(text: string): string {
  return text.toLowerCase().replace(/[\s\-_.]+/g, '');
}

/** True when the method passes the filter and its name, map label or id contains the search text. */
export function matches(method: Matchable, query: MapQuery): boolean {
  if (query.filter !== '' && !method.filters.includes(query.filter)) return false;
  const needle = fold(query.text);
  if (needle === '') return true;
  return [method.name, method.label, method.id].some((s) => fold(s).includes(needle));
}

/** The sentence announced after each change, e.g. "6 of 46 methods match “lora”." */
export function matchSummary(count: number, total: number, query: MapQuery): string {
  const text = query.text.trim();
  if (text === '' && query.filter === '') return `All ${total} methods shown.`;
  const noun = count === 1 ? 'method' : 'methods';
  const parts = [`${count} of ${total} ${noun}`];
  if (query.filter !== '') parts.push(query.filter === 'later' ? 'among the later methods' : `in ${MAP_FILTER_LABELS[query.filter]}`);
  if (text !== '') parts.push(`${count === 1 ? 'matches' : 'match'} “${text}”`);
  return `${parts.join(' ')}.`;
}
