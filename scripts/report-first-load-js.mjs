// Benchmark, not a test: prints the JavaScript each built page loads before it is interactive,
// raw, gzipped and brotli-compressed. Run after `npm run build`. A page's first load is the
// scripts its HTML references plus the client-component chunks named in its inline React Server
// Components payload (lazy components rendered on the server load at hydration too). Chunks that
// Next.js prefetches for linked pages afterwards are not counted. `--chunks` lists each chunk.
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROUTES = [
  '/',
  '/methods/',
  '/methods/lora/',
  '/methods/prompt-tuning/',
  '/methods/bitfit/',
  '/methods/dora/',
  '/calculator/',
  '/compare/',
  '/taxonomy/',
  '/lineage/',
  '/survey/',
  '/methods/survey-table/',
  '/benchmarks/',
  '/about/',
  '/about/cost-model/',
];
const showChunks = process.argv.includes('--chunks');

function htmlFile(route) {
  return `out${route}index.html`;
}

/** Chunks a page loads first; modern browsers skip noModule scripts (Next's legacy polyfills). */
export function firstLoadChunks(html) {
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => ({
    src: /src="([^"]+)"/.exec(m[1])?.[1]?.split('?')[0],
    legacy: /\bnoModule\b/i.test(m[1]),
  }));
  const legacy = new Set(scripts.filter((s) => s.legacy).map((s) => s.src));
  const tags = scripts.filter((s) => !s.legacy && s.src?.startsWith('/_next/')).map((s) => s.src);
  // Inside the inline payload the paths are JSON strings within a script: "/_next/static/chunks/x.js".
  const payload = [...html.matchAll(/\/_next\/static\/chunks\/[\w.-]+\.js/g)].map((m) => m[0]);
  return [...new Set([...tags, ...payload])].filter((src) => !legacy.has(src));
}

const sizes = new Map();
function sizeOf(src) {
  if (!sizes.has(src)) {
    const body = readFileSync(`out${src}`);
    sizes.set(src, {
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      // zod's error class: validation code that should stay on the build side.
      zod: body.includes('ZodError'),
    });
  }
  return sizes.get(src);
}

const kb = (n) => (n / 1024).toFixed(1).padStart(8);
if (!existsSync('out/index.html')) {
  console.error('No build in out/: run `npm run build` first.');
  process.exit(1);
}

console.log('route                      scripts   raw KiB  gzip KiB    br KiB  zod');
const missing = [];
for (const route of ROUTES) {
  if (!existsSync(htmlFile(route))) {
    missing.push(route);
    continue;
  }
  const chunks = firstLoadChunks(readFileSync(htmlFile(route), 'utf8'));
  const total = { raw: 0, gzip: 0, br: 0, zod: false };
  for (const src of chunks) {
    const s = sizeOf(src);
    total.raw += s.raw;
    total.gzip += s.gzip;
    total.br += s.br;
    total.zod ||= s.zod;
  }
  console.log(`${route.padEnd(26)} ${String(chunks.length).padStart(7)} ${kb(total.raw)}  ${kb(total.gzip)}  ${kb(total.br)}  ${total.zod ? 'yes' : 'no'}`);
  if (showChunks) {
    for (const src of chunks) console.log(`    ${src.padEnd(44)} ${kb(sizeOf(src).raw)}  ${kb(sizeOf(src).gzip)}`);
  }
}
if (missing.length > 0) console.log(`not built (skipped): ${missing.join(', ')}`);
