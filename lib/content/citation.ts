import type { Paper } from '@/lib/peft/taxonomy';

/** What a BibTeX entry needs. `authors` are "Last, First" or plain last names; "others" = et al. */
export interface Citation {
  key: string;
  title: string;
  authors: string[];
  year: number;
  venue: string;
  arxiv: string | null;
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

/** "Hu et al." -> ["Hu", "others"]; "Lester, Al-Rfou, Constant" -> three names. */
export function splitAuthors(authors: string): string[] {
  const etAl = /\s+et al\.?$/;
  const names = authors
    .replace(etAl, '')
    .split(/,|\band\b/)
    .map((s) => s.trim())
    .filter(Boolean);
  return etAl.test(authors) ? [...names, 'others'] : names;
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'on', 'of', 'for', 'to', 'in', 'and', 'towards']);

/** "Hu, Edward J." -> "Hu"; a name given without a comma is all surname ("Ben Zaken"). */
function surname(author: string): string {
  return author.includes(',') ? (author.split(',')[0] ?? author) : author;
}

function citationKey(firstAuthor: string, year: number, title: string): string {
  const last = surname(firstAuthor);
  const word = title
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .find((w) => w && !STOP_WORDS.has(w));
  return `${last.toLowerCase().replace(/[^a-z]/g, '')}${year}${word ?? ''}`;
}

/** Citation for a taxonomy paper; `fullAuthors` (from a method page) replaces "X et al.". */
export function citationFromPaper(paper: Paper, fullAuthors?: string[]): Citation {
  const authors = fullAuthors && fullAuthors.length > 0 ? fullAuthors : splitAuthors(paper.authors);
  return {
    key: citationKey(authors[0] ?? 'anon', paper.year, paper.title),
    title: paper.title,
    authors,
    year: paper.year,
    venue: paper.venue,
    arxiv: paper.arxiv,
  };
}

/** BibTeX: @article for arXiv preprints, @inproceedings for a named venue. */
export function toBibtex(c: Citation): string {
  const isPreprint = /^arxiv$/i.test(c.venue.trim());
  const fields: [string, string][] = [
    ['title', `{${c.title}}`],
    // Brace a multi-word surname given alone, or BibTeX reads "Ben Zaken" as first name + last name.
    ['author', c.authors.map((a) => (!a.includes(',') && /\s/.test(a) ? `{${a}}` : a)).join(' and ')],
    [isPreprint ? 'journal' : 'booktitle', isPreprint && c.arxiv ? `arXiv preprint arXiv:${c.arxiv}` : c.venue],
    ['year', String(c.year)],
  ];
  if (c.arxiv) {
    fields.push(['eprint', c.arxiv], ['archivePrefix', 'arXiv'], ['url', `https://arxiv.org/abs/${c.arxiv}`]);
  }
  const body = fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n');
  return `@${isPreprint ? 'article' : 'inproceedings'}{${c.key},\n${body}\n}`;
}
