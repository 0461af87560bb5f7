// Benchmark, not a test: Lighthouse (mobile and desktop presets) on the built site as `npm start`
// serves it (scripts/serve.mjs: compression and cache headers), with the system Chromium. Prints
// performance, accessibility, best practices and SEO scores with CLS, LCP and TBT per route, and
// the audits that cost points. Run after `npm run build`; it loads the CPU, so run it alone.
//
//   npm run bench:lighthouse -- [--preset mobile|desktop] [--runs 3] [--route /methods/lora/] [--json dir]
//                               [--origin http://host:port  (measure a server already running instead)]
//
// With --runs N each page is measured N times and the run with the median performance score is
// shown: Lighthouse's simulated throttling scales the CPU time it observes, so a busy machine
// lowers the score.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { serve } from './serve.mjs';

const ROUTES = ['/', '/methods/', '/methods/lora/', '/calculator/', '/compare/', '/taxonomy/'];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const PRESETS = { mobile: undefined, desktop: desktopConfig };

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', multiple: true },
    route: { type: 'string', multiple: true },
    runs: { type: 'string', default: '1' },
    json: { type: 'string' },
    port: { type: 'string', default: '4175' },
    origin: { type: 'string' },
  },
});
const presets = args.preset ?? Object.keys(PRESETS);
const runs = Math.max(1, Number(args.runs));
const chromePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const server = args.origin ? null : await serve({ port: Number(args.port) });
const origin = args.origin ?? `http://127.0.0.1:${server.address().port}`;
const routes = (args.route ?? ROUTES).filter((route) => {
  const built = existsSync(`out${route}index.html`);
  if (!built) console.log(`skipped ${route}: not in this build`);
  return built;
});

const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const score = (lhr, id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
const rows = [];
const lost = new Map();
try {
  for (const preset of presets) {
    if (!(preset in PRESETS)) throw new Error(`unknown preset "${preset}" (mobile or desktop)`);
    for (const route of routes) {
      const results = [];
      for (let i = 0; i < runs; i++) {
        const result = await lighthouse(`${origin}${route}`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES }, PRESETS[preset]);
        if (!result) throw new Error(`no Lighthouse result for ${route}`);
        results.push(result.lhr);
      }
      results.sort((a, b) => score(a, 'performance') - score(b, 'performance'));
      const lhr = results[Math.floor(results.length / 2)];
      if (args.json) {
        mkdirSync(args.json, { recursive: true });
        writeFileSync(join(args.json, `${preset}${route.replaceAll('/', '_')}.json`), JSON.stringify(lhr));
      }
      const audit = (id) => lhr.audits[id]?.numericValue ?? NaN;
      const row = {
        route,
        preset,
        perf: score(lhr, 'performance'),
        a11y: score(lhr, 'accessibility'),
        bp: score(lhr, 'best-practices'),
        seo: score(lhr, 'seo'),
        cls: audit('cumulative-layout-shift'),
        lcp: audit('largest-contentful-paint'),
        tbt: audit('total-blocking-time'),
        fcp: audit('first-contentful-paint'),
      };
      rows.push(row);
      console.log(formatRow(row));
      // Weighted audits that cost points (for performance: the metrics), with the pages where they did.
      for (const id of CATEGORIES) {
        for (const ref of lhr.categories[id]?.auditRefs ?? []) {
          const a = lhr.audits[ref.id];
          if (ref.weight > 0 && a?.score != null && a.score < 0.9) {
            const title = `${id}: ${a.title}`;
            lost.set(title, [...(lost.get(title) ?? []), `${preset} ${route}${a.displayValue ? ` (${a.displayValue})` : ''}`]);
          }
        }
      }
    }
  }
} finally {
  await chrome.kill();
  server?.close();
}

function formatRow(r) {
  const s = (ms) => (ms / 1000).toFixed(2).padStart(6);
  return `${r.route.padEnd(16)} ${r.preset.padEnd(8)} ${String(r.perf).padStart(4)} ${String(r.a11y).padStart(5)} ${String(r.bp).padStart(4)} ${String(r.seo).padStart(4)}  ${r.cls.toFixed(3)} ${s(r.fcp)} ${s(r.lcp)} ${String(Math.round(r.tbt)).padStart(6)}`;
}

console.log(`\nLighthouse ${runs > 1 ? `(median of ${runs} runs) ` : ''}against ${origin}${server ? ' (scripts/serve.mjs)' : ''}`);
console.log('route            preset   perf  a11y   bp  seo    CLS  FCP s  LCP s TBT ms');
for (const r of rows) console.log(formatRow(r));
if (lost.size > 0) {
  console.log('\nAudits below 90 (weighted):');
  for (const [title, where] of lost) console.log(`  ${title}: ${where.join('; ')}`);
}
