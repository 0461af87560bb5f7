import { quoteValue, readNumber } from '../input';

/**
 * Per-module overrides of a numeric hyperparameter, as HF PEFT's `rank_pattern` and
 * `alpha_pattern` (LoraConfig): a key is a regular expression matched against the end of a
 * module's name, and the first key that matches, in the order given, sets that module's value.
 * Entered as text, `q_proj=16,v_proj=4`; resolved to the same text, normalised
 * (`q_proj=16,v_proj=4`, or '' for none).
 */

export interface PatternEntry {
  key: string;
  value: number;
  /** `^(?:.*\.)?(?:key)$`, as HF PEFT's `get_pattern_key` tries each key. */
  regex: RegExp;
}

/** What a pattern's values may be: its hyperparameter's label names it in messages. */
export interface PatternRule {
  label: string;
  integer: boolean;
  min: number;
  max: number;
}

/** HF PEFT's `get_pattern_key` (peft/utils/other.py) matches `re.match(rf"(.*\.)?({key})$", name)`:
 * the key must match a whole dotted suffix of the module name. */
function keyRegex(rule: PatternRule, key: string): RegExp {
  // A repeated group and another repetition (`(a+)+`) can take exponential time on a mismatch; a
  // link carrying one would freeze the page, and module names never need one. (Coarse: any
  // repeated group beside any other `*`, `+` or `{`.)
  if (/\)[*+{]/.test(key) && /[*+{]/.test(key.replace(/\)[*+{]/g, ')'))) throw new RangeError(`${rule.label} key ${quoteValue(key)} repeats a group beside another repetition, which can take exponential time to match; write it more simply`);
  try {
    return new RegExp(`^(?:.*\\.)?(?:${key})$`);
  } catch {
    throw new RangeError(`${rule.label} key ${quoteValue(key)} is not a valid regular expression`);
  }
}

/** Parses `key=value,key=value`; throws one sentence naming the first bad entry. */
export function parsePattern(rule: PatternRule, text: string): PatternEntry[] {
  const entries: PatternEntry[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (eq < 0 || key === '') throw new RangeError(`${rule.label} entry ${quoteValue(entry)} must be written module=value, as in q_proj=16`);
    const label = `${rule.label} value for ${quoteValue(key)}`;
    const value = readNumber(label, entry.slice(eq + 1));
    if (Number.isNaN(value)) throw new RangeError(`${label} is missing`);
    if (rule.integer && !Number.isInteger(value)) throw new RangeError(`${label} must be a whole number`);
    if (value < rule.min || value > rule.max) throw new RangeError(`${label} must be between ${rule.min} and ${rule.max}`);
    // A Python dict literal with a repeated key keeps the first position but the last value: refused
    // rather than guessed.
    if (entries.some((e) => e.key === key)) throw new RangeError(`${rule.label} names ${quoteValue(key)} twice`);
    entries.push({ key, value, regex: keyRegex(rule, key) });
  }
  return entries;
}

/** The normalised text of parsed entries. */
export function formatPattern(entries: readonly PatternEntry[]): string {
  return entries.map((e) => `${e.key}=${e.value}`).join(',');
}

/** Reads resolved pattern text (already checked by resolveConfig). */
export function readPattern(text: string): PatternEntry[] {
  return parsePattern({ label: 'pattern', integer: false, min: -Infinity, max: Infinity }, text);
}

/** The value for a module named `name` (a path inside a block, `self_attn.q_proj`, or the name of
 * the embedding or LM head): the first matching key's, else `fallback`. */
export function patternValue(entries: readonly PatternEntry[], name: string, fallback: number): number {
  return entries.find((e) => e.regex.test(name))?.value ?? fallback;
}

/** The pattern as a Python dict's entries (HF PEFT's `rank_pattern`), in order. */
export function patternRecord(text: string): Record<string, number> {
  return Object.fromEntries(readPattern(text).map((e) => [e.key, e.value]));
}
