import { z } from 'zod';
import raw from '@/content/data/survey-table.json';
import { findMethod } from '@/lib/peft/taxonomy';
import type { MethodCosts } from './method-costs';
import { parseContent } from './validate';

/**
 * The survey's v1 Table 1 as recorded in content/data/survey-table.json, with each cell's
 * confidence mark, and the comparison of every row with what our registry and cost model say.
 * Server-side only (zod): the page renders the result as static HTML.
 */

export const SURVEY_TABLE_FILE = 'content/data/survey-table.json';

/** Confidence marks of the research notes: V checked, D derived, R recalled and unchecked, ? unknown. */
export const MARKS = ['V', 'D', 'R', '?'] as const;
export type Mark = (typeof MARKS)[number];

/** The survey's wording for inference overhead, as the recalled table gives it. */
export const SURVEY_OVERHEADS = [
  'No overhead',
  'Extra FFN',
  'Extra input',
  'Extra FFN and input',
  'Extra linear layer',
  'Extra gating',
  'Extra side network',
] as const;

const support = z
  .object({
    /** Sections of the v1 text, e.g. "8.2" or "4". */
    sections: z.array(z.string().regex(/^\d+(\.\d+)?$/, 'expected a section number such as 8.2')).min(1),
    /** What the text says, paraphrased or quoted. */
    says: z.string().min(20),
  })
  .strict();

const cell = <T extends z.ZodType>(value: T) =>
  z
    .object({
      value,
      mark: z.enum(MARKS),
      /** A qualifier the table gives with the value ("depends on support for sparse operations"). */
      detail: z.string().min(1).optional(),
      /** Where the v1 text says the same thing as this cell. */
      support: support.optional(),
    })
    .strict();

const yesNoMaybe = z.enum(['yes', 'no', 'maybe']);

export const AXES = ['storage', 'memory', 'backprop', 'inference'] as const;
export type Axis = (typeof AXES)[number];

const rowSchema = z
  .object({
    /** The method as the table names it, with its citation. */
    name: z.string().min(1),
    /** Our taxonomy id for it. */
    method: z.string().refine((id) => findMethod(id) !== undefined, { message: 'expected a method id of content/data/taxonomy.json' }),
    cells: z
      .object({
        /** A additive, S selective, R reparametrization-based; several letters for a hybrid. */
        type: cell(z.string().regex(/^[ASR]{1,3}$/, 'expected the letters A, S and R')),
        storage: cell(yesNoMaybe),
        memory: cell(yesNoMaybe),
        backpropReduced: cell(yesNoMaybe),
        inference: cell(z.enum(SURVEY_OVERHEADS)),
      })
      .strict(),
    /** Our remark about the row itself (a duplicate, an uncertain entry). */
    note: z.string().min(1).optional(),
    /** Ours, not the survey's: why our registry or cost model answers differently on an axis. */
    explanations: z.partialRecord(z.enum(AXES), z.string().min(40)).optional(),
  })
  .strict();

const tableSchema = z
  .object({
    about: z.string().min(40),
    source: z.object({ paper: z.string().min(10), url: z.url(), recordedIn: z.string().min(10) }).strict(),
    caption: cell(z.string().min(10)),
    rows: z.array(rowSchema).min(1),
  })
  .strict();

export type SurveyTable = z.output<typeof tableSchema>;
export type SurveyRow = SurveyTable['rows'][number];
export type SurveyCell = SurveyRow['cells']['storage'];

/** Validate survey-table data; throws a ContentError naming the file and every bad field. */
export function parseSurveyTable(data: unknown): SurveyTable {
  return parseContent(tableSchema, data, SURVEY_TABLE_FILE);
}

let cached: SurveyTable | undefined;
export function surveyTable(): SurveyTable {
  cached ??= parseSurveyTable(raw);
  return cached;
}

// ---------------------------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------------------------

/** "Storage efficient": the task checkpoint is at most this share of a fully fine-tuned model's. */
export const STORAGE_EFFICIENT_MAX_SHARE = 0.1;
/** "Memory efficient": peak training memory below this share of full fine-tuning's (below it at all). */
export const MEMORY_EFFICIENT_MAX_RATIO = 1;

/**
 * agree / disagree: both sides give a yes or no. depends: the survey's answer is conditional
 * ("maybe"). no-parameters: the method trains nothing on the reference model (BitFit on a model
 * without biases), so storage and memory say nothing about it. not-implemented: no figures.
 */
export type Verdict = 'agree' | 'disagree' | 'depends' | 'no-parameters' | 'not-implemented';

export interface AxisComparison {
  axis: Axis;
  /** The survey's cell, as the table words it. */
  survey: SurveyCell | SurveyRow['cells']['inference'];
  /** The survey's answer as a yes/no (inference: has overhead), null when conditional. */
  surveySays: boolean | null;
  /** Our answer (inference: has overhead), null without figures. */
  oursSays: boolean | null;
  /** Our answer in words, with the number behind it. */
  ours: string;
  verdict: Verdict;
  /** Our explanation from the data file, for disagreements and conditional answers. */
  explanation: string | null;
}

const percent = (share: number) => `${Number((share * 100).toPrecision(2))}%`;

function ourAnswer(axis: Axis, c: MethodCosts): { says: boolean; words: string } {
  switch (axis) {
    case 'storage': {
      const says = c.checkpointShare <= STORAGE_EFFICIENT_MAX_SHARE;
      return { says, words: `${says ? 'yes' : 'no'}: the checkpoint is ${percent(c.checkpointShare)} of the full model's` };
    }
    case 'memory': {
      const says = c.memoryVsFull < MEMORY_EFFICIENT_MAX_RATIO;
      return { says, words: `${says ? 'yes' : 'no'}: ${percent(c.memoryVsFull)} of full fine-tuning's training memory` };
    }
    case 'backprop': {
      const says = !c.backpropThroughBackbone;
      return { says, words: says ? 'yes: no gradient passes through the backbone' : 'no: gradients pass through the backbone' };
    }
    case 'inference': {
      const words: Record<MethodCosts['inference'], string> = {
        unchanged: 'none: the model keeps its structure',
        mergeable: 'none once merged into the weights',
        'extra-modules': 'extra modules',
        'longer-input': 'a longer input (prompt or prefix)',
      };
      const says = c.inference === 'extra-modules' || c.inference === 'longer-input';
      return { says, words: says ? `${words[c.inference]}, +${percent(c.extraInferenceShare)} FLOPs per token` : words[c.inference] };
    }
  }
}

function surveyCell(row: SurveyRow, axis: Axis) {
  return axis === 'backprop' ? row.cells.backpropReduced : row.cells[axis];
}

function surveyAnswer(axis: Axis, value: string): boolean | null {
  if (axis === 'inference') return value !== 'No overhead';
  return value === 'maybe' ? null : value === 'yes';
}

/** Each axis of a survey row against our figures for its method (null: not implemented). */
export function compareRow(row: SurveyRow, costs: MethodCosts | null): AxisComparison[] {
  return AXES.map((axis) => {
    const survey = surveyCell(row, axis);
    const surveySays = surveyAnswer(axis, survey.value);
    const explanation = row.explanations?.[axis] ?? null;
    if (!costs) return { axis, survey, surveySays, oursSays: null, ours: 'not implemented yet', verdict: 'not-implemented', explanation };
    if (costs.trainableParams === 0 && (axis === 'storage' || axis === 'memory')) {
      return { axis, survey, surveySays, oursSays: null, ours: 'nothing to train on this model', verdict: 'no-parameters', explanation };
    }
    const { says, words } = ourAnswer(axis, costs);
    const verdict: Verdict = surveySays === null ? 'depends' : surveySays === says ? 'agree' : 'disagree';
    return { axis, survey, surveySays, oursSays: says, ours: words, verdict, explanation };
  });
}
