/**
 * The survey's v2 records regrouped for display: one line per experiment configuration, with the
 * authors' measured trainable count, ours beside it, and the evaluation throughput, per model.
 * Pure (types only from lib/), so the grouping and the match verdicts are unit-tested.
 */

import type { SurveyRecord } from '@/lib/datasets/survey-results';

export type CountVerdict = 'match' | 'differs' | 'not-computed';

export interface SurveyCell {
  /** The authors' measured trainable count, or null where the dataset has none for this model. */
  theirs: number | null;
  ours: number | null;
  verdict: CountVerdict | null;
  /** Relative difference (ours − theirs) / theirs, when both exist and differ. */
  difference: number | null;
  /** Evaluation examples per second per GPU, or null. */
  throughput: number | null;
  /** Caveats of the count record and of the throughput record, each shown with its own table. */
  countCaveats: string[];
  throughputCaveats: string[];
  sources: string[];
}

export interface SurveyLine {
  config: string;
  method: string | null;
  cells: Record<string, SurveyCell>;
}

/** Our count against theirs: equal integers match; anything else differs, by the relative gap. */
export function compareCounts(theirs: number | null, ours: number | null): Pick<SurveyCell, 'verdict' | 'difference'> {
  if (theirs === null) return { verdict: null, difference: null };
  if (ours === null) return { verdict: 'not-computed', difference: null };
  if (ours === theirs) return { verdict: 'match', difference: null };
  return { verdict: 'differs', difference: theirs === 0 ? null : (ours - theirs) / theirs };
}

const emptyCell = (): SurveyCell => ({ theirs: null, ours: null, verdict: null, difference: null, throughput: null, countCaveats: [], throughputCaveats: [], sources: [] });

/** One line per config in first-seen order, a cell per model in `models`. */
export function surveyLines(records: readonly SurveyRecord[], models: readonly string[]): SurveyLine[] {
  const lines = new Map<string, SurveyLine>();
  for (const r of records) {
    let line = lines.get(r.config);
    if (!line) {
      line = { config: r.config, method: r.method, cells: Object.fromEntries(models.map((m) => [m, emptyCell()])) };
      lines.set(r.config, line);
    }
    line.method ??= r.method;
    const cell = line.cells[r.model];
    if (!cell) continue;
    if (r.measure === 'trainable-params') {
      cell.theirs = r.value;
      cell.ours = r.ours;
      Object.assign(cell, compareCounts(r.value, r.ours));
    } else {
      cell.throughput = r.value;
    }
    const caveats = r.measure === 'trainable-params' ? cell.countCaveats : cell.throughputCaveats;
    if (r.caveat && !caveats.includes(r.caveat)) caveats.push(r.caveat);
    const source = sourceText(r.provenance);
    if (!cell.sources.includes(source)) cell.sources.push(source);
  }
  return [...lines.values()];
}

/** A protocol value in words: lists joined, nested objects as "key: value" pairs. */
export function protocolText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(protocolText).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${humanKey(k)}: ${protocolText(v)}`)
      .join('; ');
  }
  return String(value);
}

/** "max_source_len" -> "max source len": the authors' field names, readable. */
export function humanKey(key: string): string {
  return key.replace(/_/g, ' ');
}

/** A record's provenance in one line: "source (detail)". */
export function sourceText(p: { source: string; detail?: string }): string {
  return p.detail ? `${p.source} (${p.detail})` : p.source;
}
