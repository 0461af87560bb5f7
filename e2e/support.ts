import { readdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The port the browser tests serve out/ on; playwright.config.ts reads it from here. */
export const PORT = 4173;
export const ORIGIN = `http://127.0.0.1:${PORT}`;

/** Every page of the site by kind, with the text of its h1. */
export const ROUTES = [
  { path: '/', h1: 'Parameter-efficient fine-tuning, mapped', kind: 'home' },
  { path: '/methods/', h1: 'Methods', kind: 'methods index' },
  { path: '/methods/lora/', h1: 'LoRA', kind: 'written method page' },
  { path: '/methods/prompt-tuning/', h1: 'Prompt Tuning', kind: 'written method page' },
  { path: '/methods/bitfit/', h1: 'BitFit', kind: 'method page with a playground' },
  { path: '/methods/dora/', h1: 'DoRA', kind: 'unwritten method page' },
  { path: '/calculator/', h1: 'Calculator', kind: 'calculator' },
  { path: '/compare/', h1: 'Compare methods', kind: 'compare' },
  { path: '/benchmarks/', h1: 'Benchmarks', kind: 'benchmarks' },
  { path: '/race/', h1: 'Method race', kind: 'race' },
  { path: '/guide/', h1: 'Which method fits?', kind: 'guide' },
  { path: '/about/', h1: 'About PEFT Atlas', kind: 'about' },
  { path: '/about/cost-model/', h1: 'How the cost model works', kind: 'cost model' },
  { path: '/taxonomy/', h1: 'The taxonomy of PEFT methods', kind: 'taxonomy map' },
  { path: '/lineage/', h1: 'Method lineage', kind: 'lineage' },
  { path: '/survey/', h1: 'Reading the survey', kind: 'guided read' },
  { path: '/methods/survey-table/', h1: 'The survey’s comparison, recomputed', kind: 'comparison table' },
] as const;

/** True for URLs the site may load: its own origin, and inline data:/blob: URLs. */
export function isLocal(url: string): boolean {
  return url === ORIGIN || url.startsWith(`${ORIGIN}/`) || url.startsWith('data:') || url.startsWith('blob:');
}

/**
 * Start recording a page's console errors, uncaught exceptions and requests.
 * Call before page.goto so nothing from the first load is missed.
 */
export function watchPage(page: Page) {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('request', (req) => requests.push(req.url()));
  return {
    errors,
    requests,
    external: () => requests.filter((url) => !isLocal(url)),
  };
}

/** Resolves once React has hydrated: the theme toggle stays disabled until its effect has run. */
export async function waitForHydration(page: Page) {
  await expect(page.getByTestId('theme-toggle')).toBeEnabled();
}

/** Runs axe (WCAG 2.1 A/AA) on the page, or on `include` within it, and fails on serious or
 * critical violations with a readable report. */
export async function expectNoSeriousAxeViolations(page: Page, label: string, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = blocking
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ') ?? ''}`).join('\n'),
    )
    .join('\n');
  expect(blocking.length, `axe violations on ${label}:\n${report}`).toBe(0);
}

/** Ids of the implemented methods: one file each in lib/peft/methods/ (CONTRIBUTING.md), every one
 * registered. Read from the folder because the registry's JSON imports do not load in Playwright. */
export const METHOD_IDS: readonly string[] = readdirSync('lib/peft/methods')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
