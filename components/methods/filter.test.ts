import { describe, expect, it } from 'vitest';
import { formatBytes, formatShare } from './cost-format';
import { DEFAULT_QUERY, filterAndSort, queryFromParams, queryToParams, type MethodRow } from './filter';

type Cost = NonNullable<MethodRow['cost']>;

function cost(patch: Partial<Cost>): Cost {
  return {
    checkpointBytes: 1e6,
    checkpointShare: 0.001,
    memoryBytes: 50e9,
    memoryVsFull: 0.4,
    trainableParams: 1000,
    trainableShare: 0.001,
    backpropThroughBackbone: true,
    inference: 'unchanged',
    mergeable: false,
    extraInferenceShare: 0,
    settings: '',
    calculatorHref: '',
    ...patch,
  };
}

function row(id: string, category: string, year: number | null, subgroup: string | null = null, costs: Cost | null = null): MethodRow {
  return {
    id,
    name: id.toUpperCase(),
    category,
    categoryLabel: category,
    subgroup,
    subgroupLabel: subgroup ?? '—',
    survey: 'v1-section',
    surveyLabel: '',
    year,
    paperTitle: `Paper about ${id}`,
    paperUrl: null,
    hasPage: false,
    cost: costs,
  };
}

const ROWS = [row('lora', 'reparametrization', 2022, 'low-rank'), row('bitfit', 'selective', 2022), row('adapters', 'additive', 2019, 'adapters'), row('full', 'baseline', null)];

describe('filterAndSort', () => {
  it('filters by category and by search text over name and paper title', () => {
    expect(filterAndSort(ROWS, { ...DEFAULT_QUERY, category: 'selective' }).map((r) => r.id)).toEqual(['bitfit']);
    expect(filterAndSort(ROWS, { ...DEFAULT_QUERY, q: 'about ADAP' }).map((r) => r.id)).toEqual(['adapters']);
    expect(filterAndSort(ROWS, { ...DEFAULT_QUERY, subgroup: 'low-rank', q: 'lo' }).map((r) => r.id)).toEqual(['lora']);
  });

  it('keeps methods published in or after a year, dropping the paperless baseline', () => {
    expect(filterAndSort(ROWS, { ...DEFAULT_QUERY, since: '2020' }).map((r) => r.id)).toEqual(['bitfit', 'lora']);
  });

  it('sorts by the survey category order by default, then by name', () => {
    expect(filterAndSort(ROWS, DEFAULT_QUERY).map((r) => r.id)).toEqual(['full', 'adapters', 'bitfit', 'lora']);
  });

  it('sorts by year both ways, with ties broken by name', () => {
    expect(filterAndSort(ROWS, { ...DEFAULT_QUERY, sort: 'year' }).map((r) => r.id)).toEqual(['full', 'adapters', 'bitfit', 'lora']);
    expect(filterAndSort(ROWS, { ...DEFAULT_QUERY, sort: 'year', dir: 'desc' }).map((r) => r.id)).toEqual(['bitfit', 'lora', 'adapters', 'full']);
  });

  it('does not mutate its input', () => {
    const before = ROWS.map((r) => r.id);
    filterAndSort(ROWS, { ...DEFAULT_QUERY, sort: 'name', dir: 'desc' });
    expect(ROWS.map((r) => r.id)).toEqual(before);
  });
});

// Implemented methods with figures shaped like the real ones; 'dora' has none (not implemented).
const COSTED = [
  row('lora', 'reparametrization', 2022, 'low-rank', cost({ checkpointBytes: 16.8e6, memoryVsFull: 0.333, trainableShare: 0.00062, inference: 'mergeable', mergeable: true })),
  row('lst', 'additive', 2022, null, cost({ checkpointBytes: 690e6, memoryVsFull: 0.214, trainableShare: 0.0256, inference: 'extra-modules', backpropThroughBackbone: false })),
  row('prompt-tuning', 'additive', 2021, 'soft-prompts', cost({ checkpointBytes: 131e3, memoryVsFull: 0.337, trainableShare: 0.0000049, inference: 'longer-input' })),
  row('bitfit', 'selective', 2022, null, cost({ checkpointBytes: 0, memoryVsFull: 0.332, trainableShare: 0, trainableParams: 0 })),
  row('dora', 'reparametrization', 2024, 'low-rank'),
];
const ids = (rows: MethodRow[]) => rows.map((r) => r.id);

describe('cost filters', () => {
  it('keeps methods without inference overhead: unchanged or merged', () => {
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, inference: 'none', sort: 'name' }))).toEqual(['bitfit', 'lora']);
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, inference: 'mergeable' }))).toEqual(['lora']);
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, inference: 'overhead', sort: 'name' }))).toEqual(['lst', 'prompt-tuning']);
  });

  it('filters on backprop through the backbone, dropping methods without figures', () => {
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, backprop: 'not-through' }))).toEqual(['lst']);
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, backprop: 'through', sort: 'name' }))).toEqual(['bitfit', 'lora', 'prompt-tuning']);
  });

  it('keeps only implemented methods on request', () => {
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, implemented: '1' }))).not.toContain('dora');
    expect(ids(filterAndSort(COSTED, DEFAULT_QUERY))).toContain('dora');
  });
});

describe('numeric sorting', () => {
  it('sorts by checkpoint size both ways, methods without figures last either way', () => {
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, sort: 'checkpoint' }))).toEqual(['bitfit', 'prompt-tuning', 'lora', 'lst', 'dora']);
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, sort: 'checkpoint', dir: 'desc' }))).toEqual(['lst', 'lora', 'prompt-tuning', 'bitfit', 'dora']);
  });

  it('sorts by training memory and by trained share', () => {
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, sort: 'memory' }))).toEqual(['lst', 'bitfit', 'lora', 'prompt-tuning', 'dora']);
    expect(ids(filterAndSort(COSTED, { ...DEFAULT_QUERY, sort: 'trainable', dir: 'desc' }))).toEqual(['lst', 'lora', 'prompt-tuning', 'bitfit', 'dora']);
  });
});

describe('cost formatting', () => {
  it('keeps tiny shares distinguishable', () => {
    expect(formatShare(0.00062)).toBe('0.062%');
    expect(formatShare(0.0000049)).toBe('0.00049%');
    expect(formatShare(0.333)).toBe('33%');
    expect(formatShare(0.0256)).toBe('2.6%');
    expect(formatShare(0)).toBe('0%');
  });

  it('writes bytes in decimal units', () => {
    expect(formatBytes(16_777_216)).toBe('16.8 MB');
    expect(formatBytes(4000)).toBe('4.0 KB');
    expect(formatBytes(26_953_662_464)).toBe('27.0 GB');
    expect(formatBytes(0)).toBe('0 B');
  });
});

describe('URL query', () => {
  it('round-trips non-default values and drops defaults', () => {
    const q = { ...DEFAULT_QUERY, category: 'hybrid', sort: 'year' as const, dir: 'desc' as const };
    const params = queryToParams(q);
    expect(params.toString()).toBe('category=hybrid&sort=year&dir=desc');
    expect(queryFromParams(params)).toEqual(q);
    expect(queryToParams(DEFAULT_QUERY).toString()).toBe('');
  });

  it('ignores an unknown sort key and a malformed year', () => {
    expect(queryFromParams(new URLSearchParams('sort=evil&dir=sideways&since=later'))).toEqual(DEFAULT_QUERY);
  });

  it('round-trips the cost filters and the view, ignoring values that are not allowed', () => {
    const q = { ...DEFAULT_QUERY, inference: 'mergeable', backprop: 'not-through', implemented: '1', view: 'costs' as const, sort: 'memory' as const };
    expect(queryFromParams(queryToParams(q))).toEqual(q);
    expect(queryFromParams(new URLSearchParams('inference=fast&backprop=maybe&implemented=yes&view=cards'))).toEqual(DEFAULT_QUERY);
  });
});
