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

const paperSchema = z.object({
  title: z.string().min(1),
  authors: z.string().min(1),
  year: z.number().int().min(2010).max(2100),
  venue: z.string().min(1),
  arxiv: z
    .string()
    .regex(/^\d{4}\.\d{4,5}$/, 'expected an arXiv id such as 2106.09685')
    .nullable(),
  /** Present when the reference itself is in doubt; shown next to the citation. */
  confidence: z.string().optional(),
});

const methodSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lowercase slug'),
    name: z.string().min(1),
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

export const TAXONOMY_FILE = 'content/data/taxonomy.json';

export const taxonomy: Taxonomy = parseContent(taxonomySchema, raw, TAXONOMY_FILE);

export function findMethod(id: string): TaxonomyMethod | undefined {
  return taxonomy.methods.find((m) => m.id === id);
}

export function paperUrl(paper: Paper): string | null {
  return paper.arxiv ? `https://arxiv.org/abs/${paper.arxiv}` : null;
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
  'other-additive': 'Other additive',
  selective: 'Selective',
  'low-rank': 'Low-rank',
  hybrid: 'Hybrid',
};

export const SURVEY_LABELS: Record<(typeof SURVEY_COVERAGE)[number], string> = {
  baseline: 'Baseline',
  'v1-section': 'Own section (v1)',
  'v1-figure': 'Taxonomy figure (v1)',
  beyond: 'Later work',
};
