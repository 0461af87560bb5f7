import {
  CATEGORY_LABELS,
  SUBGROUP_LABELS,
  SURVEY_LABELS,
  paperUrl,
  taxonomy,
  type TaxonomyMethod,
} from '@/lib/peft/taxonomy';
import { citationFromPaper, type Citation } from './citation';
import { methodCosts, type MethodCosts } from './method-costs';
import { loadMethodPages, type MethodPage } from './pages';

/** Joins the taxonomy with the written method pages: what every listing and page reads. */

/** One line of the methods table: plain data, so it can be handed to a client component. */
export interface MethodRow {
  id: string;
  name: string;
  category: string;
  categoryLabel: string;
  subgroup: string | null;
  subgroupLabel: string;
  survey: string;
  surveyLabel: string;
  year: number | null;
  paperTitle: string | null;
  paperUrl: string | null;
  hasPage: boolean;
  /** Registry and cost-model figures on the reference model (method-costs.ts); null while the
   * method is not implemented. */
  cost: MethodCosts | null;
}

let cached: Map<string, MethodPage> | undefined;
/** Method pages are parsed once per build (each route asks for them). */
export function methodPages(): Map<string, MethodPage> {
  cached ??= loadMethodPages();
  return cached;
}

export function methodRows(): MethodRow[] {
  const pages = methodPages();
  const costs = methodCosts();
  return taxonomy.methods.map((m) => ({
    id: m.id,
    name: m.name,
    category: m.category,
    categoryLabel: CATEGORY_LABELS[m.category],
    subgroup: m.subgroup,
    subgroupLabel: m.subgroup ? SUBGROUP_LABELS[m.subgroup] : '—',
    survey: m.survey,
    surveyLabel: SURVEY_LABELS[m.survey],
    year: m.paper?.year ?? null,
    paperTitle: m.paper?.title ?? null,
    paperUrl: m.paper ? paperUrl(m.paper) : null,
    hasPage: pages.has(m.id),
    cost: costs.get(m.id) ?? null,
  }));
}

/** The original paper's citation; its complete author list lives in the taxonomy. */
export function methodCitation(method: TaxonomyMethod): Citation | null {
  return method.paper ? citationFromPaper(method.paper) : null;
}
