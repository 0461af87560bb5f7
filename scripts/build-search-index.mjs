// Builds the site search index (Pagefind) over the static export in out/, after `next build`:
// every page's main content, plus one record per real model in content/data/models.json that
// opens the calculator on it. The browser loads out/pagefind/ only when someone searches.
import { readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as pagefind from 'pagefind';

const OUT = 'out';
/** Next's error pages, which are not content. */
const SKIPPED = new Set(['404/index.html', '_not-found/index.html']);
/**
 * Inside <main>: navigation (breadcrumbs, tables of contents), interactive tools whose text is
 * form labels and placeholders, charts, and KaTeX (its markup spells formulas one glyph at a time).
 */
const EXCLUDE = ['nav', 'svg', 'form', 'button', 'select', '.katex', '[data-testid="calculator"]', '[data-testid="playground"]'];
/** Pagefind's ready-made interfaces, unused: components/search/SiteSearch.tsx talks to pagefind.js. */
const UNUSED_BUNDLE_FILES = /^pagefind-(ui|component-ui|modular-ui|highlight)\.(js|css)$/;

/**
 * The calculator's address for a model (the `model` query parameter of components/calculator/query.ts).
 * @param {string} id
 */
export function modelUrl(id) {
  return `/calculator/?model=${encodeURIComponent(id)}`;
}

/**
 * One search record per model: its names (display name and Hugging Face id) and a line of facts.
 * @param {readonly { id: string; name: string; publishedTotal: number; hiddenSize: number; layers: { encoder?: number; decoder?: number } }[]} models
 * @returns {(import('pagefind').CustomRecord & { meta: { title: string; kind: string } })[]}
 */
export function modelRecords(models) {
  return models.map((m) => {
    const stacks = Object.entries(m.layers)
      .filter(([, n]) => n !== undefined)
      .map(([kind, n]) => `${n}-layer ${kind}`)
      .join(' and ');
    const params = new Intl.NumberFormat('en-US').format(m.publishedTotal);
    return {
      url: modelUrl(m.id),
      language: 'en',
      meta: { title: m.name, kind: 'Model' },
      content:
        `${m.name} (${m.id}), ${params} parameters: ${stacks}, hidden size ${m.hiddenSize}. ` +
        `Trainable parameters and training memory of a PEFT method on ${m.name}, in the calculator.`,
    };
  });
}

/**
 * Pagefind joins the text of adjacent definition-list and table cells with no space between them
 * ("CategoryReparametrization-based"); a space before each closing tag keeps the words apart in
 * the index and in excerpts.
 * @param {string} html
 */
export function spaceCells(html) {
  return html.replace(/<\/(dt|dd|th|td|li|caption|figcaption|summary)>/g, ' $&');
}

/** Every page of the export (trailingSlash: each route is a folder with an index.html). */
function pageFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => relative(dir, join(dir, String(f))).split(sep).join('/'))
    .filter((f) => (f === 'index.html' || f.endsWith('/index.html')) && !SKIPPED.has(f))
    .sort();
}

export async function buildSearchIndex({ dir = OUT } = {}) {
  const { index, errors } = await pagefind.createIndex({ rootSelector: 'main', excludeSelectors: EXCLUDE, forceLanguage: 'en' });
  if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
  const problems = [...errors];
  let pages = 0;
  for (const file of pageFiles(dir)) {
    const url = `/${file.slice(0, -'index.html'.length)}`;
    const res = await index.addHTMLFile({ url, content: spaceCells(readFileSync(join(dir, file), 'utf8')) });
    problems.push(...res.errors);
    pages += 1;
  }
  const { models } = JSON.parse(readFileSync('content/data/models.json', 'utf8'));
  for (const record of modelRecords(models)) {
    const res = await index.addCustomRecord(record);
    problems.push(...res.errors);
  }
  rmSync(join(dir, 'pagefind'), { recursive: true, force: true });
  const written = await index.writeFiles({ outputPath: join(dir, 'pagefind') });
  problems.push(...written.errors);
  for (const f of readdirSync(written.outputPath)) if (UNUSED_BUNDLE_FILES.test(f)) unlinkSync(join(written.outputPath, f));
  await pagefind.close();
  if (problems.length > 0) throw new Error(`pagefind: ${problems.join('; ')}`);
  return { pages, models: models.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { pages, models } = await buildSearchIndex();
  console.log(`search index: ${pages} pages and ${models} models in ${OUT}/pagefind/ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
