import { describe, expect, it } from 'vitest';
import raw from '@/content/data/survey-table.json';
import { methodCosts, type MethodCosts } from './method-costs';
import { ContentError } from './validate';
import { compareRow, parseSurveyTable, surveyTable, type SurveyRow } from './survey-table';

const clone = () => JSON.parse(JSON.stringify(raw)) as { rows: Record<string, unknown>[] } & Record<string, unknown>;

/** The error message of parsing `data`, or '' when it parses. */
function parseError(data: unknown): string {
  try {
    parseSurveyTable(data);
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ContentError);
    return (err as Error).message;
  }
}

describe('the survey-table loader', () => {
  it('accepts the shipped file, every cell recalled (the whole table is unchecked)', () => {
    const table = surveyTable();
    expect(table.rows).toHaveLength(28);
    for (const row of table.rows) for (const cell of Object.values(row.cells)) expect(cell.mark).toBe('R');
    expect(table.caption.mark).toBe('R');
  });

  it('keeps the cells the v1 text supports, with their sections', () => {
    const lst = surveyTable().rows.find((r) => r.method === 'lst');
    expect(lst?.cells.backpropReduced.support?.sections).toEqual(['8.1', '12']);
    const supported = surveyTable().rows.flatMap((r) => Object.values(r.cells).filter((c) => c.support));
    expect(supported.length).toBeGreaterThanOrEqual(13);
  });

  it('names the file and the field of a bad mark', () => {
    const data = clone();
    (data.rows[3] as { cells: { memory: { mark: string } } }).cells.memory.mark = 'checked';
    const message = parseError(data);
    expect(message).toContain('content/data/survey-table.json');
    expect(message).toContain('field "rows.3.cells.memory.mark"');
  });

  it('rejects a method id that is not in the taxonomy, naming the field', () => {
    const data = clone();
    data.rows[0]!.method = 'lora-but-better';
    expect(parseError(data)).toContain('field "rows.0.method"');
  });

  it('rejects an inference wording the table does not use and a missing cell', () => {
    const data = clone();
    (data.rows[1] as { cells: { inference: { value: string } } }).cells.inference.value = 'Some overhead';
    delete (data.rows[2] as { cells: Record<string, unknown> }).cells.storage;
    const message = parseError(data);
    expect(message).toContain('field "rows.1.cells.inference.value"');
    expect(message).toContain('field "rows.2.cells.storage"');
  });

  it('rejects an explanation for an axis that does not exist', () => {
    const data = clone();
    data.rows[0]!.explanations = { accuracy: 'An explanation long enough to pass the length check on its own.' };
    expect(parseError(data)).toContain('field "rows.0.explanations');
  });
});

const costs: MethodCosts = {
  checkpointBytes: 16e6,
  checkpointShare: 0.0006,
  memoryBytes: 50e9,
  memoryVsFull: 0.33,
  trainableParams: 4_194_304,
  trainableShare: 0.0006,
  backpropThroughBackbone: true,
  inference: 'mergeable',
  mergeable: true,
  extraInferenceShare: 0,
  settings: '',
  calculatorHref: '',
};

function surveyRow(values: { storage?: string; memory?: string; backprop?: string; inference?: string }, explanations?: SurveyRow['explanations']): SurveyRow {
  const cell = <T extends string>(value: T) => ({ value, mark: 'R' as const });
  return {
    name: 'Test',
    method: 'lora',
    cells: {
      type: cell('R'),
      storage: cell((values.storage ?? 'yes') as 'yes'),
      memory: cell((values.memory ?? 'yes') as 'yes'),
      backpropReduced: cell((values.backprop ?? 'no') as 'no'),
      inference: cell((values.inference ?? 'No overhead') as 'No overhead'),
    },
    explanations,
  };
}
const verdicts = (cmp: ReturnType<typeof compareRow>) => Object.fromEntries(cmp.map((c) => [c.axis, c.verdict]));

describe('compareRow', () => {
  it('agrees on every axis when both sides say the same', () => {
    expect(verdicts(compareRow(surveyRow({}), costs))).toEqual({ storage: 'agree', memory: 'agree', backprop: 'agree', inference: 'agree' });
  });

  it('flags a storage disagreement at the 10% threshold, and not below it', () => {
    expect(compareRow(surveyRow({}), { ...costs, checkpointShare: 0.1 })[0]?.verdict).toBe('agree');
    const over = compareRow(surveyRow({}), { ...costs, checkpointShare: 0.11 })[0];
    expect(over?.verdict).toBe('disagree');
    expect(over?.ours).toBe("no: the checkpoint is 11% of the full model's");
  });

  it('counts memory as efficient only strictly below full fine-tuning', () => {
    expect(compareRow(surveyRow({}), { ...costs, memoryVsFull: 1 })[1]?.verdict).toBe('disagree');
    expect(compareRow(surveyRow({ memory: 'no' }), { ...costs, memoryVsFull: 1.2 })[1]?.verdict).toBe('agree');
  });

  it('reads "backprop reduced" as the negation of backprop through the backbone', () => {
    expect(compareRow(surveyRow({ backprop: 'yes' }), { ...costs, backpropThroughBackbone: false })[2]?.verdict).toBe('agree');
    expect(compareRow(surveyRow({ backprop: 'yes' }), costs)[2]?.verdict).toBe('disagree');
  });

  it('treats every overhead wording but "No overhead" as overhead, and merged as none', () => {
    expect(compareRow(surveyRow({ inference: 'Extra gating' }), costs)[3]?.verdict).toBe('disagree');
    expect(compareRow(surveyRow({ inference: 'Extra input' }), { ...costs, inference: 'longer-input', mergeable: false })[3]?.verdict).toBe('agree');
    expect(compareRow(surveyRow({ inference: 'No overhead' }), { ...costs, inference: 'extra-modules', mergeable: false })[3]?.verdict).toBe('disagree');
  });

  it('calls a "maybe" conditional, not a disagreement', () => {
    expect(compareRow(surveyRow({ memory: 'maybe' }), costs)[1]?.verdict).toBe('depends');
  });

  it('gives no verdict without figures or without trained parameters', () => {
    expect(new Set(compareRow(surveyRow({}), null).map((c) => c.verdict))).toEqual(new Set(['not-implemented']));
    const none = verdicts(compareRow(surveyRow({}), { ...costs, trainableParams: 0, checkpointShare: 0 }));
    expect(none).toEqual({ storage: 'no-parameters', memory: 'no-parameters', backprop: 'agree', inference: 'agree' });
  });
});

describe('the shipped table against our registry on the reference model', () => {
  const all = surveyTable().rows.map((row) => ({ row, cmp: compareRow(row, methodCosts().get(row.method) ?? null) }));
  const find = (method: string, axis: string) => all.find((r) => r.row.method === method)?.cmp.find((c) => c.axis === axis);

  it('shows the known disagreements', () => {
    expect(find('intrinsic-said', 'storage')?.verdict).toBe('disagree');
    expect(find('intrinsic-said', 'memory')?.verdict).toBe('disagree');
    expect(find('ia3', 'inference')?.verdict).toBe('disagree');
    expect(find('lora', 'inference')?.verdict).toBe('agree');
    expect(find('lst', 'backprop')?.verdict).toBe('agree');
    expect(find('fish-mask', 'memory')?.verdict).toBe('depends');
    expect(find('attention-tuning', 'storage')?.verdict).toBe('disagree');
  });

  it('explains every disagreement and conditional answer, and nothing else', () => {
    for (const { row, cmp } of all) {
      for (const c of cmp) {
        const needs = c.verdict === 'disagree' || c.verdict === 'depends';
        expect(c.explanation !== null, `${row.name}, ${c.axis}: ${c.verdict}`).toBe(needs);
      }
    }
  });
});
