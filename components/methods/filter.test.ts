import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY, filterAndSort, queryFromParams, queryToParams, type MethodRow } from './filter';

function row(id: string, category: string, year: number | null, subgroup: string | null = null): MethodRow {
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
});
