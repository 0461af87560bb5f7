/** Short names for the map and plain-language names for its zones. Pure, so both are tested. */

/**
 * The name written on the map. A multi-word name that ends in its abbreviation is written as the
 * abbreviation ("Ladder Side-Tuning (LST)" → "LST"); any other parenthesis explains the name and is
 * dropped ("Adapters (Houlsby)" → "Adapters", "S4 (PEFT design spaces)" → "S4"). The full name is in
 * the tooltip, the link's accessible name and the list view.
 */
export function mapLabel(name: string): string {
  const match = /^(.+?)\s+\(([^()]+)\)$/.exec(name.trim());
  if (!match) return name.trim();
  const [, outer = '', inner = ''] = match;
  const isAbbreviation =
    /\s/.test(outer) && !/\s/.test(inner) && (inner.match(/[A-Z]/g)?.length ?? 0) >= 2 && inner.length < outer.length;
  return isAbbreviation ? inner : outer;
}

const SET_NAMES: Record<string, string> = {
  additive: 'additive',
  adapters: 'adapters',
  'soft-prompts': 'soft prompts',
  selective: 'selective',
  reparametrization: 'reparametrization-based',
};

/**
 * The sets a method combines, in words: "adapters, selective and reparametrization-based".
 * Adapters and soft prompts are kinds of additive methods, so "additive" is left out when either
 * is named.
 */
export function combinationName(regions: readonly string[]): string {
  const ordered = Object.keys(SET_NAMES).filter((r) => regions.includes(r));
  const named = ordered.includes('adapters') || ordered.includes('soft-prompts') ? ordered.filter((r) => r !== 'additive') : ordered;
  const words = named.map((r) => SET_NAMES[r] ?? r);
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** A zone of the map in words, for the list view: "Soft prompts", "Adapters and selective (overlap)". */
export function zoneName(regions: readonly string[]): string {
  if (regions.length === 0) return 'Outside every family';
  if (regions.length === 1 && regions[0] === 'additive') return 'Other additive methods';
  const text = combinationName(regions);
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return text.includes(' and ') ? `${sentence} (overlap)` : sentence;
}
