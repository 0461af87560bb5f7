import { DEFAULT_SETUP, SETUP_FIELDS, type TrainingSetup } from './cost/setup';
import type { HyperValue, PeftMethod } from './method-api/types';

/**
 * Settings as people type them (form fields, URL queries, CLI flags) turned into the values
 * lib/peft works with. Every interface reads numbers and booleans here, so `r=0x10` or
 * `checkpointing=0` mean the same thing in the calculator, the playground and the CLI. Ranges are
 * checked later: resolveConfig and validateSetup reject impossible values with one message per
 * problem, whichever interface they came from.
 */

/** Plain decimals with an optional decimal exponent (`8`, `-1`, `0.5`, `.5`, `1e-3`); no hex,
 * binary or octal (`0x10` would silently be 16), no `Infinity`, no blank. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Text to a number, or NaN when the text is not a decimal number (blank text is not 0). */
export function numberFromText(raw: string): number {
  const text = raw.trim();
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** Text to a number for the setting called `label`; throws a sentence naming the value when the
 * text is not a decimal number. Blank text stays NaN so the range check phrases it. */
export function readNumber(label: string, raw: string): number {
  const v = numberFromText(raw);
  if (Number.isNaN(v) && raw.trim() !== '') throw new RangeError(`${label} must be a decimal number, got ${quoteValue(raw)}`);
  return v;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** True when `raw` is one of the words readBoolean accepts. */
export function isBooleanText(raw: string): boolean {
  const word = raw.trim().toLowerCase();
  return TRUE_WORDS.includes(word) || FALSE_WORDS.includes(word);
}

/** `1/0`, `true/false`, `yes/no`, `on/off` in any letter case; anything else is an error rather
 * than a guess (a CLI that read `--checkpointing 0` as "on" was the bug this replaces). */
export function readBoolean(label: string, raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new RangeError(`${label} must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}, got ${quoteValue(raw)}`);
}

/** Longest stretch of a user's value repeated in a message. */
export const ECHO_LIMIT = 40;
/** Longest message shown; the lists some messages end with stay well below it. */
const MESSAGE_LIMIT = 1000;

/** Control characters, including the Unicode line separators, which would let a value start a
 * new line of output that looks like the program's own. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cut(text: string, limit: number): string {
  const chars = Array.from(text); // code points, so an emoji is not split in half
  return chars.length > limit ? `${chars.slice(0, limit).join('')}…` : text;
}

/** A user's value as a message quotes it: in double quotes, cut to ECHO_LIMIT characters, control
 * characters escaped. */
export function quoteValue(raw: string): string {
  return `"${escapeControls(cut(raw, ECHO_LIMIT))}"`;
}

/**
 * Any error message made safe to print on one line: every quoted value cut to ECHO_LIMIT
 * characters (messages from lib/peft quote what the user typed), control characters escaped,
 * the whole cut to MESSAGE_LIMIT. Applied where messages leave for a terminal or a page.
 */
export function cleanMessage(message: string): string {
  const quotedCut = message.replace(/"([^"]*)"/g, (_, inner: string) => `"${cut(inner, ECHO_LIMIT)}"`);
  return cut(escapeControls(quotedCut), MESSAGE_LIMIT);
}

/** Numeric hyperparameters parsed; choices and module lists (one string or several) passed on. */
export function hyperFromText(method: PeftMethod, raw: Readonly<Record<string, string | string[]>>): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const h = method.hyperparams.find((p) => p.key === key);
    out[key] = (h?.kind === 'int' || h?.kind === 'number') && typeof value === 'string' ? readNumber(h.label, value) : value;
  }
  return out;
}

/** A training setup as text, keyed by `SETUP_FIELDS`' keys (`batch`, `seq`, `checkpointing`, …), as
 * a URL query or CLI flags give it; missing keys take DEFAULT_SETUP's value. */
export type SetupText = Readonly<Record<string, string | undefined>>;

/** The setup that text describes. Numbers and yes/no words are read here; ranges and choices are
 * checked by validateSetup, so every interface reports them alike. */
export function setupFromText(text: SetupText): TrainingSetup {
  const setup: Record<string, unknown> = { ...DEFAULT_SETUP };
  for (const f of SETUP_FIELDS) {
    const raw = text[f.key];
    if (raw === undefined) continue;
    const label = f.label.toLowerCase();
    switch (f.kind) {
      case 'int':
        setup[f.field] = readNumber(label, raw);
        break;
      case 'optional-int':
        setup[f.field] = raw.trim() === '' ? null : readNumber(label, raw);
        break;
      case 'choice':
        setup[f.field] = raw.trim();
        break;
      case 'boolean':
        setup[f.field] = readBoolean(label, raw);
        break;
      case 'list':
        setup[f.field] = raw.split(',').map((m) => m.trim()).filter((m) => m !== '');
        break;
    }
  }
  return setup as unknown as TrainingSetup;
}

/** The text of every setting that differs from DEFAULT_SETUP (a short shareable URL); `all` for every setting. */
export function setupToText(setup: TrainingSetup, all = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of SETUP_FIELDS) {
    const value = setup[f.field];
    const text = value === null ? '' : Array.isArray(value) ? value.join(',') : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    const fallback = DEFAULT_SETUP[f.field];
    const defaultText = fallback === null ? '' : Array.isArray(fallback) ? fallback.join(',') : typeof fallback === 'boolean' ? (fallback ? '1' : '0') : String(fallback);
    if (all || text !== defaultText) out[f.key] = text;
  }
  return out;
}

/** Every text key of a setting. */
export const SETUP_KEYS: readonly string[] = SETUP_FIELDS.map((f) => f.key);
