import type { Paper } from '@/lib/peft/taxonomy';

/**
 * Citations built from the taxonomy's papers. This module imports the taxonomy's types only, so
 * client components can format authors without loading the dataset or its validation.
 */

/** What a BibTeX entry needs. `authors` are "Last, First", in the paper's order. */
export interface Citation {
  key: string;
  title: string;
  authors: string[];
  year: number;
  venue: string;
  arxiv: string | null;
  /** For a paper without an arXiv id. */
  doi?: string;
  url?: string;
}

/** The survey this site is built on (arXiv 2303.15647v2 lists these four authors). */
export const SURVEY_CITATION: Citation = {
  key: 'lialin2023scaling',
  title: 'Scaling Down to Scale Up: A Guide to Parameter-Efficient Fine-Tuning',
  authors: ['Lialin, Vladislav', 'Deshpande, Vijeta', 'Yao, Xiaowei', 'Rumshisky, Anna'],
  year: 2023,
  venue: 'arXiv',
  arxiv: '2303.15647',
};

/** "Hu, Edward J." -> "Hu"; "Ben Zaken, Elad" -> "Ben Zaken". */
export function surname(author: string): string {
  return author.split(',')[0]?.trim() ?? author;
}

/** "Hu, Edward J." -> "Edward J. Hu": the order a reader expects in running text. */
export function givenFirst(author: string): string {
  const [last, first] = author.split(',').map((s) => s.trim());
  return first ? `${first} ${last}` : (last ?? author);
}

/** ["A", "B", "C"] -> "A, B and C". */
function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Authors for inline use: every surname up to three ("Li and Liang", "Lester, Al-Rfou and
 * Constant"), else the first three and "et al." ("Houlsby, Giurgiu, Jastrzębski et al.").
 */
export function shortAuthors(paper: Pick<Paper, 'authors'>): string {
  const names = paper.authors.map(surname);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} et al.` : joinNames(names);
}

/** The full list in reading order: "Xiang Lisa Li and Percy Liang". */
export function fullAuthors(authors: readonly string[]): string {
  return joinNames(authors.map(givenFirst));
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'on', 'of', 'for', 'to', 'in', 'and', 'towards']);

/** "hu2022lora": first author's surname (letters only), year, first significant title word. */
function citationKey(firstAuthor: string, year: number, title: string): string {
  const last = surname(firstAuthor)
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
  const word = title
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .find((w) => w && !STOP_WORDS.has(w));
  return `${last}${year}${word ?? ''}`;
}

/** The citation of a taxonomy paper, with its complete author list. */
export function citationFromPaper(paper: Paper): Citation {
  return {
    key: citationKey(paper.authors[0] ?? 'anon', paper.year, paper.title),
    title: paper.title,
    authors: [...paper.authors],
    year: paper.year,
    venue: paper.venue,
    arxiv: paper.arxiv,
    ...(paper.doi ? { doi: paper.doi } : {}),
    ...(paper.url ? { url: paper.url } : {}),
  };
}

/** The address a citation links to: arXiv, else DOI, else its own URL. */
export function citationUrl(c: Citation): string | null {
  if (c.arxiv) return `https://arxiv.org/abs/${c.arxiv}`;
  if (c.doi) return `https://doi.org/${c.doi}`;
  return c.url ?? null;
}

/** BibTeX: @article for arXiv preprints, @inproceedings for a named venue. */
export function toBibtex(c: Citation): string {
  const isPreprint = /^arxiv$/i.test(c.venue.trim());
  const fields: [string, string][] = [
    ['title', `{${c.title}}`],
    ['author', c.authors.join(' and ')],
    [isPreprint ? 'journal' : 'booktitle', isPreprint && c.arxiv ? `arXiv preprint arXiv:${c.arxiv}` : c.venue],
    ['year', String(c.year)],
  ];
  if (c.arxiv) fields.push(['eprint', c.arxiv], ['archivePrefix', 'arXiv']);
  if (c.doi) fields.push(['doi', c.doi]);
  const url = citationUrl(c);
  if (url) fields.push(['url', url]);
  const body = fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n');
  return `@${isPreprint ? 'article' : 'inproceedings'}{${c.key},\n${body}\n}`;
}
