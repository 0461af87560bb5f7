import { z } from 'zod';
import raw from '@/content/data/lineage.json';
import { ContentError, parseContent } from '@/lib/content/validate';
import type { LineageLink } from './method-api/types';
import { METHODS } from './registry';
import { type Taxonomy, taxonomy } from './taxonomy';

/**
 * What each taxonomy method builds on, as one list of edges for the lineage tree and the "builds
 * on" line of method pages. Implemented methods declare their parents in their own file
 * (`lineage`); the others are listed in content/data/lineage.json. Both are checked here at build
 * time. Free of TensorFlow.js: method files import it as a type only.
 */

export const LINEAGE_FILE = 'content/data/lineage.json';

export interface LineageEdge {
  parent: string;
  child: string;
  /** What the child takes from or changes in the parent, in a few words. */
  how: string;
  /** Where the child's paper says so: its title, the section and its arXiv id. */
  source: string;
}

const linkSchema = z
  .object({
    child: z.string().min(1),
    parent: z.string().min(1),
    how: z.string().min(1),
    source: z.string().min(1),
  })
  .strict();

export const lineageFileSchema = z.object({ about: z.string().min(1), links: z.array(linkSchema) }).strict();
export type LineageFile = z.output<typeof lineageFileSchema>;

/** A method as the lineage reads it: its id and its declared parents. */
export interface LineageDeclaration {
  id: string;
  lineage: readonly LineageLink[];
}

const methodFile = (id: string) => `lib/peft/methods/${id}.ts`;

/** “Title”, where (arXiv id), for a link declared in a method file. */
function paperSource(tax: Taxonomy, childId: string, where: string): string {
  const paper = tax.methods.find((m) => m.id === childId)?.paper;
  if (!paper) return where;
  return `“${paper.title}”, ${where}${paper.arxiv ? ` (arXiv ${paper.arxiv})` : ` (${paper.venue})`}`;
}

/**
 * Every edge, method files first (in `declarations` order), then the data file, after checking
 * both: ids exist in the taxonomy, a method with a file is not a child in the data file, no link
 * is repeated or points to itself, a parent's paper is not later than its child's, a data-file
 * source names the child's arXiv id, and the edges form no cycle. Throws a ContentError that
 * names the file and the field.
 */
export function buildLineage(data: unknown, declarations: readonly LineageDeclaration[], tax: Taxonomy): LineageEdge[] {
  const byId = new Map(tax.methods.map((m) => [m.id, m]));
  const withFile = new Set(declarations.map((d) => d.id));
  const yearOf = (id: string) => byId.get(id)?.paper?.year;
  const seen = new Set<string>();

  /** Problems with one edge, as sentences about its fields. */
  const check = (child: string, parent: string, field: (name: 'child' | 'parent') => string): string[] => {
    const problems: string[] = [];
    for (const [name, id] of [['child', child], ['parent', parent]] as const) {
      if (!byId.has(id)) problems.push(`${field(name)}: "${id}" is not a method id of content/data/taxonomy.json`);
    }
    if (problems.length > 0) return problems;
    if (child === parent) problems.push(`${field('parent')}: "${child}" cannot build on itself`);
    const key = `${parent}→${child}`;
    if (seen.has(key)) problems.push(`${field('parent')}: the link ${parent} → ${child} is given twice`);
    seen.add(key);
    const [pYear, cYear] = [yearOf(parent), yearOf(child)];
    if (pYear !== undefined && cYear !== undefined && pYear > cYear) {
      problems.push(`${field('parent')}: "${parent}" (${pYear}) is later than "${child}" (${cYear}); a method cannot build on a later paper`);
    }
    return problems;
  };

  const edges: LineageEdge[] = [];
  for (const d of declarations) {
    const problems: string[] = [];
    d.lineage.forEach((link, i) => {
      const found = check(d.id, link.id, (name) => `field "${name === 'child' ? 'id' : `lineage.${i}.id`}"`);
      if (link.how.trim() === '') found.push(`field "lineage.${i}.how": say in a few words what ${d.id} takes from ${link.id}`);
      if (link.where.trim() === '') found.push(`field "lineage.${i}.where": say where the paper states it`);
      problems.push(...found);
      if (found.length === 0) edges.push({ parent: link.id, child: d.id, how: link.how, source: paperSource(tax, d.id, link.where) });
    });
    if (problems.length > 0) throw new ContentError(methodFile(d.id), problems);
  }

  const file = parseContent(lineageFileSchema, data, LINEAGE_FILE);
  const problems: string[] = [];
  file.links.forEach((link, i) => {
    const field = (name: string) => `field "links.${i}.${name}"`;
    const found = check(link.child, link.parent, field);
    if (withFile.has(link.child)) {
      found.push(`${field('child')}: "${link.child}" has a method file; declare this link in the lineage of ${methodFile(link.child)} instead`);
    }
    const arxiv = byId.get(link.child)?.paper?.arxiv;
    if (arxiv && !link.source.includes(arxiv)) found.push(`${field('source')}: name the child's paper with its arXiv id ${arxiv}`);
    problems.push(...found);
    if (found.length === 0) edges.push({ parent: link.parent, child: link.child, how: link.how, source: link.source });
  });
  if (problems.length > 0) throw new ContentError(LINEAGE_FILE, problems);

  const cycle = findCycle(edges);
  if (cycle) {
    const files = [...new Set(cycle.slice(1).map((id) => (withFile.has(id) ? methodFile(id) : LINEAGE_FILE)))];
    throw new ContentError(files.join(' and '), [`the lineage has a cycle: ${cycle.join(' → ')}`]);
  }
  return edges;
}

/** A cycle of parent → child links as ids (first = last), or null. */
function findCycle(edges: readonly LineageEdge[]): string[] | null {
  const children = new Map<string, string[]>();
  for (const e of edges) children.set(e.parent, [...(children.get(e.parent) ?? []), e.child]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const c of children.get(id) ?? []) {
      const found = visit(c);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of children.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return null;
}

const EDGES: readonly LineageEdge[] = buildLineage(raw, METHODS, taxonomy);

/** Every lineage edge: implemented methods' declarations, then content/data/lineage.json. */
export function lineageEdges(): LineageEdge[] {
  return [...EDGES];
}

/** The edges to the methods `id` builds on. */
export function parentsOf(id: string): LineageEdge[] {
  return EDGES.filter((e) => e.child === id);
}

/** The edges to the methods that build on `id`. */
export function childrenOf(id: string): LineageEdge[] {
  return EDGES.filter((e) => e.parent === id);
}
