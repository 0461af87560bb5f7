import { describe, expect, it } from 'vitest';
import { findMethod, taxonomy, type Paper } from '@/lib/peft/taxonomy';
import { SURVEY_CITATION, citationFromPaper, citationUrl, fullAuthors, givenFirst, shortAuthors, surname, toBibtex } from './citation';

function paperOf(id: string): Paper {
  const paper = findMethod(id)?.paper;
  if (!paper) throw new Error(`${id} has a paper in the taxonomy`);
  return paper;
}

const authors = (...list: string[]) => ({ authors: list });

describe('author names', () => {
  it('reads the surname before the comma, however many words it has', () => {
    expect(surname('Hu, Edward J.')).toBe('Hu');
    expect(surname('Ben Zaken, Elad')).toBe('Ben Zaken');
    expect(surname('de Laroussilhe, Quentin')).toBe('de Laroussilhe');
  });

  it('puts given names first for running text', () => {
    expect(givenFirst('Li, Xiang Lisa')).toBe('Xiang Lisa Li');
    expect(fullAuthors(['Li, Xiang Lisa', 'Liang, Percy'])).toBe('Xiang Lisa Li and Percy Liang');
    expect(fullAuthors(['Lester, Brian', 'Al-Rfou, Rami', 'Constant, Noah'])).toBe('Brian Lester, Rami Al-Rfou and Noah Constant');
  });

  it('shortens to at most three surnames, then "et al."', () => {
    expect(shortAuthors(authors('Hu, Edward J.'))).toBe('Hu');
    expect(shortAuthors(authors('Li, Xiang Lisa', 'Liang, Percy'))).toBe('Li and Liang');
    expect(shortAuthors(authors('Lester, Brian', 'Al-Rfou, Rami', 'Constant, Noah'))).toBe('Lester, Al-Rfou and Constant');
    expect(shortAuthors(paperOf('adapters'))).toBe('Houlsby, Giurgiu, Jastrzębski et al.');
  });
});

describe('citations of taxonomy papers', () => {
  it('carry the complete author list from the taxonomy', () => {
    const lora = citationFromPaper(paperOf('lora'));
    expect(lora.authors).toHaveLength(8);
    expect(lora.authors[0]).toBe('Hu, Edward J.');
    expect(lora.authors.at(-1)).toBe('Chen, Weizhu');
  });

  it('make keys from the first surname without spaces or accents', () => {
    expect(citationFromPaper(paperOf('bitfit')).key).toBe('benzaken2022bitfit');
    expect(citationFromPaper(paperOf('boft')).key).toBe('liu2024parameter');
    expect(citationFromPaper(paperOf('lt-sft')).key).toBe('ansell2022composable');
  });

  it('link a paper without arXiv id through its DOI or proceedings page', () => {
    expect(citationUrl(citationFromPaper(paperOf('attention-fusion')))).toBe('https://doi.org/10.18653/v1/2022.findings-naacl.64');
    expect(citationUrl(citationFromPaper(paperOf('lets')))).toBe('https://proceedings.mlr.press/v139/fu21a.html');
    expect(citationUrl(citationFromPaper(paperOf('lora')))).toBe('https://arxiv.org/abs/2106.09685');
  });
});

describe('toBibtex', () => {
  it('writes an arXiv preprint as @article with its eprint', () => {
    const bib = toBibtex(SURVEY_CITATION);
    expect(bib.startsWith('@article{lialin2023scaling,')).toBe(true);
    expect(bib).toContain('author = {Lialin, Vladislav and Deshpande, Vijeta and Yao, Xiaowei and Rumshisky, Anna}');
    expect(bib).toContain('journal = {arXiv preprint arXiv:2303.15647}');
    expect(bib).toContain('eprint = {2303.15647}');
  });

  it('writes a conference paper as @inproceedings with every author', () => {
    const bib = toBibtex(citationFromPaper(paperOf('lora')));
    expect(bib).toMatch(/^@inproceedings\{hu2022lora,/);
    expect(bib).toContain('booktitle = {ICLR 2022}');
    expect(bib).toContain(
      'author = {Hu, Edward J. and Shen, Yelong and Wallis, Phillip and Allen-Zhu, Zeyuan and Li, Yuanzhi and Wang, Shean and Wang, Lu and Chen, Weizhu}',
    );
    expect(bib).not.toMatch(/others|et al/);
    // Braces balance, so BibTeX parsers accept the entry.
    expect(bib.split('{').length).toBe(bib.split('}').length);
  });

  it('gives a paper without arXiv id its DOI instead of an eprint', () => {
    const bib = toBibtex(citationFromPaper(paperOf('attention-fusion')));
    expect(bib).not.toContain('eprint');
    expect(bib).toContain('doi = {10.18653/v1/2022.findings-naacl.64}');
    expect(bib).toContain('author = {Cao, Jin and Satya Prakash, Chandana and Hamza, Wael}');
    expect(bib).toContain('year = {2022}');
  });

  it('every taxonomy paper yields an entry with balanced braces and a link', () => {
    for (const { paper } of taxonomy.methods) {
      if (!paper) continue;
      const bib = toBibtex(citationFromPaper(paper));
      expect(bib.split('{').length).toBe(bib.split('}').length);
      expect(bib).toMatch(/url = \{https:\/\//);
    }
  });
});
