import { describe, expect, it } from 'vitest';
import raw from '@/content/data/models.json';
import { defaultQuery, queryFromParams } from '@/components/calculator/query';
import { modelRecords, spaceCells } from './build-search-index.mjs';

describe('search records for models', () => {
  const records = modelRecords(raw.models);

  it('has one record per model, titled with its name and naming its Hugging Face id', () => {
    expect(records).toHaveLength(raw.models.length);
    const t5 = records.find((r) => r.meta.title === 'T5-Large');
    const entry = raw.models.find((m) => m.id === 't5-large');
    expect(t5?.content).toContain('T5-Large (t5-large)');
    expect(t5?.content).toContain(`${entry?.publishedTotal.toLocaleString('en-US')} parameters`);
    expect(t5?.meta.kind).toBe('Model');
  });

  it('links each model to the calculator with that model selected', () => {
    for (const [i, record] of records.entries()) {
      const url = new URL(record.url, 'https://example.org');
      expect(url.pathname).toBe('/calculator/');
      // Read back the way the calculator reads its URL.
      expect(queryFromParams(url.searchParams, defaultQuery('lora'), false).model).toBe(raw.models[i]?.id);
    }
  });
});

describe('spaceCells', () => {
  it('separates the text of adjacent cells and leaves the rest alone', () => {
    expect(spaceCells('<dl><div><dt>Category</dt><dd>Selective</dd></div></dl><p>a<b>b</b></p>')).toBe(
      '<dl><div><dt>Category </dt><dd>Selective </dd></div></dl><p>a<b>b</b></p>',
    );
  });
});
