import { describe, expect, it } from 'vitest';
import { ContentError } from './validate';
import { compileMdx } from './mdx';
import { loadMethodPages, loadProsePage, parseMethodPage } from './pages';

const GOOD = `---
id: lora
category: reparametrization
year: 2022
summary: A short but real summary of the method for the test.
trained: low-rank factors
frozen: everything else
---
Body text.
`;

function errorOf(fn: () => unknown): ContentError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ContentError) return e;
    throw e;
  }
  throw new Error('expected a ContentError');
}

describe('method page frontmatter', () => {
  it('accepts a valid page and keeps the body', () => {
    const page = parseMethodPage('content/methods/lora.mdx', GOOD);
    expect(page.frontmatter.id).toBe('lora');
    expect(page.body.trim()).toBe('Body text.');
  });

  it('names the file and the field when a field has the wrong type', () => {
    const err = errorOf(() => parseMethodPage('content/methods/lora.mdx', GOOD.replace('year: 2022', 'year: "2022"')));
    expect(err.message).toContain('content/methods/lora.mdx');
    expect(err.message).toMatch(/field "year"/);
  });

  it('names a missing field', () => {
    const err = errorOf(() => parseMethodPage('content/methods/lora.mdx', GOOD.replace(/^trained:.*\n/m, '')));
    expect(err.problems.join('\n')).toMatch(/field "trained"/);
  });

  it('rejects unknown fields so typos do not pass silently', () => {
    const err = errorOf(() => parseMethodPage('content/methods/lora.mdx', GOOD.replace('year: 2022', 'year: 2022\nyaer: 2021')));
    expect(err.message).toMatch(/yaer/);
  });

  it('rejects an authors field: the author list lives in the taxonomy only', () => {
    const withAuthors = GOOD.replace('frozen: everything else', 'frozen: everything else\nauthors: ["Hu, Edward J."]');
    const err = errorOf(() => parseMethodPage('content/methods/lora.mdx', withAuthors));
    expect(err.message).toMatch(/authors/);
  });

  it('requires the id to match the file name', () => {
    const err = errorOf(() => parseMethodPage('content/methods/lora-v2.mdx', GOOD));
    expect(err.problems).toEqual([expect.stringMatching(/field "id".*must equal the file name "lora-v2"/)]);
  });

  it('rejects an id that is not in the taxonomy', () => {
    const err = errorOf(() => parseMethodPage('content/methods/nope.mdx', GOOD.replace('id: lora', 'id: nope')));
    expect(err.message).toMatch(/"nope" is not a method in content\/data\/taxonomy.json/);
  });

  it('cross-checks category and year against the taxonomy', () => {
    const wrong = GOOD.replace('category: reparametrization', 'category: additive').replace('year: 2022', 'year: 2021');
    const err = errorOf(() => parseMethodPage('content/methods/lora.mdx', wrong));
    expect(err.problems).toHaveLength(2);
    expect(err.message).toMatch(/field "category": "additive" but the taxonomy says "reparametrization"/);
    expect(err.message).toMatch(/field "year": 2021 but the taxonomy says 2022/);
  });
});

describe('line numbers in errors', () => {
  it('name the line in the file, frontmatter included', async () => {
    // GOOD has 8 lines of frontmatter and "Body text." on line 9; the broken math sits on line 11.
    const page = parseMethodPage('content/methods/lora.mdx', GOOD.replace('Body text.\n', 'Body text.\n\n$\\frac{1}{$\n'));
    await expect(compileMdx(page.body, page.file)).rejects.toThrow(/content\/methods\/lora\.mdx: .* at line 11\b/);
  }, 60_000);
});

describe('the shipped content', () => {
  it('has valid written pages for LoRA and Prompt Tuning', () => {
    const pages = loadMethodPages();
    expect([...pages.keys()]).toEqual(expect.arrayContaining(['lora', 'prompt-tuning']));
    for (const page of pages.values()) expect(page.body.length).toBeGreaterThan(500);
  });

  it('has a valid about page', () => {
    expect(loadProsePage('about').frontmatter.title).toBe('About PEFT Atlas');
  });
});
