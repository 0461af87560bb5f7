import { z } from 'zod';
import raw from '@/content/data/taxonomy.json';
import { parseContent } from '@/lib/content/validate';

/**
 * The survey's taxonomy (Lialin et al., arXiv 2303.15647) as the single list of methods the
 * site iterates. Data and sources live in content/data/taxonomy.json; this module only
 * validates and types it.
 */

export const CATEGORIES = ['additive', 'selective', 'reparametrization', 'hybrid'] as const;
export const SUBGROUPS = ['adapters', 'soft-prompts', 'other-additive', 'selective', 'low-rank', 'hybrid'] as const;
export const SURVEY_COVERAGE = ['baseline', 'v1-section', 'v1-figure', 'beyond'] as const;

/** One author as BibTeX reads it: "Last, First" ("Ben Zaken, Elad", "de Laroussilhe, Quentin"). */
const authorSchema = z
  .string()
  .regex(/^[^,]+, [^,]+$/, 'expected one author as "Last, First"')
  .refine((a) => !/\bet al\b|\bothers\b/i.test(a), 'list every author, not "et al."');

const paperSchema = z
  .object({
    title: z.string().min(1),
    /** The complete author list, in the paper's order. */
    authors: z.array(authorSchema).min(1),
    year: z.number().int().min(2010).max(2100),
    venue: z.string().min(1),
    arxiv: z
      .string()
      .regex(/^\d{4}\.\d{4,5}$/, 'expected an arXiv id such as 2106.09685')
      .nullable(),
    /** For a paper without an arXiv id: its DOI, or failing that the proceedings page. */
    doi: z.string().regex(/^10\.\d{4,9}\/\S+$/, 'expected a DOI such as 10.18653/v1/2022.findings-naacl.64').optional(),
    url: z.string().regex(/^https:\/\/\S+$/, 'expected an https:// address').optional(),
    /** Present when the reference itself is in doubt; shown next to the citation. */
    confidence: z.string().optional(),
  })
  .refine((p) => p.arxiv !== null || p.doi !== undefined || p.url !== undefined, {
    message: 'a paper needs an arXiv id, a DOI or a URL, so a reader can find it',
    path: ['arxiv'],
  });

const methodSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lowercase slug'),
    /** Display name: plain text, no TeX-like markup (the survey's "KronA^B_res" is spelled out). */
    name: z.string().min(1).regex(/^[^^_]+$/, 'a display name is plain text: no ^ or _'),
    /** One sentence in our own words, shown on hover in the taxonomy map and in listings. */
    summary: z.string().min(20).max(160),
    category: z.enum([...CATEGORIES, 'baseline']),
    subgroup: z.enum(SUBGROUPS).nullable(),
    regions: z.array(z.string()),
    survey: z.enum(SURVEY_COVERAGE),
    paper: paperSchema.nullable(),
    variants: z.array(z.string()).optional(),
  })
  .refine((m) => (m.category === 'baseline') === (m.paper === null), {
    message: 'only the baseline may lack a paper',
    path: ['paper'],
  });

export const taxonomySchema = z
  .object({
    about: z.string(),
    categories: z.record(z.enum(CATEGORIES), z.string()),
    subgroups: z.record(z.enum(SUBGROUPS), z.string()),
    methods: z.array(methodSchema).min(1),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.methods.forEach((m, i) => {
      if (seen.has(m.id)) ctx.addIssue({ code: 'custom', message: `duplicate id "${m.id}"`, path: ['methods', i, 'id'] });
      seen.add(m.id);
    });
  });

export type Taxonomy = z.output<typeof taxonomySchema>;
export type TaxonomyMethod = Taxonomy['methods'][number];
export type Paper = NonNullable<TaxonomyMethod['paper']>;
export type Category = (typeof CATEGORIES)[number];
export type Subgroup = (typeof SUBGROUPS)[number];
export type SurveyCoverage = (typeof SURVEY_COVERAGE)[number];

export const TAXONOMY_FILE = 'content/data/taxonomy.json';

export const taxonomy: Taxonomy = parseContent(taxonomySchema, raw, TAXONOMY_FILE);

export function findMethod(id: string): TaxonomyMethod | undefined {
  return taxonomy.methods.find((m) => m.id === id);
}

/** Where a reader finds the paper: its arXiv page, else its DOI, else the proceedings page. */
export function paperUrl(paper: Paper): string | null {
  if (paper.arxiv) return `https://arxiv.org/abs/${paper.arxiv}`;
  if (paper.doi) return `https://doi.org/${paper.doi}`;
  return paper.url ?? null;
}

export const CATEGORY_LABELS: Record<Category | 'baseline', string> = {
  additive: 'Additive',
  selective: 'Selective',
  reparametrization: 'Reparametrization-based',
  hybrid: 'Hybrid',
  baseline: 'Baseline',
};

export const SUBGROUP_LABELS: Record<Subgroup, string> = {
  adapters: 'Adapters',
  'soft-prompts': 'Soft prompts',
  'other-additive': 'Other additive methods',
  selective: 'Selective',
  'low-rank': 'Low-rank and structured updates',
  hybrid: 'Hybrid',
};

/** Where a method stands in the survey, in words a reader needs no legend for. */
export const SURVEY_LABELS: Record<SurveyCoverage, string> = {
  baseline: 'Baseline',
  'v1-section': 'Explained in the survey',
  'v1-figure': "Named in the survey's taxonomy figure",
  beyond: "Added by us (not in the survey's figure)",
};
