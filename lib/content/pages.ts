import fs from 'node:fs';
import path from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import { findMethod } from '@/lib/peft/taxonomy';
import { ContentError, parseContent } from './validate';

/**
 * Loads content/methods/<id>.mdx and content/pages/<name>.mdx. Frontmatter is checked with
 * zod and cross-checked against the taxonomy, so a wrong fact fails the build with the file
 * and field named instead of reaching a page.
 */

export const METHODS_DIR = 'content/methods';
export const PAGES_DIR = 'content/pages';

export const methodFrontmatterSchema = z.strictObject({
  id: z.string().min(1),
  category: z.enum(['additive', 'selective', 'reparametrization', 'hybrid', 'baseline']),
  /** The original paper's year; absent for the baseline, which has no paper. */
  year: z.number().int().optional(),
  /** One sentence: shown in listings and as the page description. */
  summary: z.string().min(20).max(300),
  /** What the method trains, and what stays frozen: shown as the page's fact box. */
  trained: z.string().min(1),
  frozen: z.string().min(1),
  // No `authors`: the paper's author list lives in content/data/taxonomy.json only.
});

export type MethodFrontmatter = z.output<typeof methodFrontmatterSchema>;

export interface MethodPage {
  file: string;
  frontmatter: MethodFrontmatter;
  body: string;
}

export const proseFrontmatterSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(20).max(300),
});

export interface ProsePage {
  file: string;
  frontmatter: z.output<typeof proseFrontmatterSchema>;
  body: string;
}

/**
 * Splits a content file into frontmatter data and body. The body keeps one empty line for each
 * line of frontmatter (markdown ignores leading blank lines), so a line number the MDX compiler
 * or KaTeX reports is the line in the file an author opens.
 */
export function splitContentFile(source: string): { data: Record<string, unknown>; body: string } {
  const { data, content } = matter(source);
  const frontmatterLines = source.slice(0, source.length - content.length).split('\n').length - 1;
  return { data, body: '\n'.repeat(frontmatterLines) + content };
}

/** Parse one method page; throws ContentError naming the file and field on bad frontmatter. */
export function parseMethodPage(file: string, source: string): MethodPage {
  const { data, body } = splitContentFile(source);
  const frontmatter = parseContent(methodFrontmatterSchema, data, file);
  const slug = path.basename(file, '.mdx');
  const problems: string[] = [];
  if (frontmatter.id !== slug) problems.push(`field "id": "${frontmatter.id}" must equal the file name "${slug}"`);
  const method = findMethod(frontmatter.id);
  if (!method) {
    problems.push(`field "id": "${frontmatter.id}" is not a method in content/data/taxonomy.json`);
  } else {
    if (method.category !== frontmatter.category) {
      problems.push(`field "category": "${frontmatter.category}" but the taxonomy says "${method.category}"`);
    }
    if (method.paper) {
      if (method.paper.year !== frontmatter.year) {
        problems.push(`field "year": ${frontmatter.year ?? 'missing'} but the taxonomy says ${method.paper.year}`);
      }
    } else if (frontmatter.year !== undefined) {
      problems.push('field "year": the taxonomy gives this method no paper, so it has no year');
    }
  }
  if (problems.length > 0) throw new ContentError(file, problems);
  return { file, frontmatter, body };
}

export function loadMethodPages(dir = METHODS_DIR): Map<string, MethodPage> {
  const pages = new Map<string, MethodPage>();
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.mdx')).sort()) {
    const file = path.join(dir, name);
    const page = parseMethodPage(file, fs.readFileSync(file, 'utf8'));
    pages.set(page.frontmatter.id, page);
  }
  return pages;
}

export function loadProsePage(name: string, dir = PAGES_DIR): ProsePage {
  const file = path.join(dir, `${name}.mdx`);
  const { data, body } = splitContentFile(fs.readFileSync(file, 'utf8'));
  return { file, frontmatter: parseContent(proseFrontmatterSchema, data, file), body };
}
