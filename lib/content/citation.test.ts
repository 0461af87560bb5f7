import { describe, expect, it } from 'vitest';
import { findMethod } from '@/lib/peft/taxonomy';
import { SURVEY_CITATION, citationFromPaper, splitAuthors, toBibtex } from './citation';

describe('splitAuthors', () => {
  it('turns "et al." into BibTeX "others"', () => {
    expect(splitAuthors('Hu et al.')).toEqual(['Hu', 'others']);
  });
  it('splits comma- and and-separated lists', () => {
    expect(splitAuthors('Lester, Al-Rfou, Constant')).toEqual(['Lester', 'Al-Rfou', 'Constant']);
    expect(splitAuthors('Li and Liang')).toEqual(['Li', 'Liang']);
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

  it('writes a conference paper as @inproceedings with its venue', () => {
    const paper = findMethod('lora')?.paper;
    if (!paper) throw new Error('lora has a paper in the taxonomy');
    const bib = toBibtex(citationFromPaper(paper, ['Hu, Edward J.', 'Shen, Yelong']));
    expect(bib).toMatch(/^@inproceedings\{hu2022lora,/);
    expect(bib).toContain('booktitle = {ICLR 2022}');
    expect(bib).toContain('author = {Hu, Edward J. and Shen, Yelong}');
    // Braces balance, so BibTeX parsers accept the entry.
    expect(bib.split('{').length).toBe(bib.split('}').length);
  });

  it('keeps a multi-word surname together', () => {
    const paper = findMethod('bitfit')?.paper;
    if (!paper) throw new Error('bitfit has a paper in the taxonomy');
    const bib = toBibtex(citationFromPaper(paper));
    expect(bib).toMatch(/^@inproceedings\{benzaken2022bitfit,/);
    expect(bib).toContain('author = {{Ben Zaken} and Ravfogel and Goldberg}');
  });

  it('omits arXiv fields for papers without an arXiv id', () => {
    const paper = findMethod('lets')?.paper;
    if (!paper) throw new Error('lets has a paper in the taxonomy');
    const bib = toBibtex(citationFromPaper(paper));
    expect(bib).not.toContain('eprint');
    expect(bib).toContain('year = {2021}');
  });
});
