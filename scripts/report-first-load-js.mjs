// Benchmark, not a test: prints the JavaScript each built page loads up front (the scripts its
// HTML references), raw and gzipped. Run after `npm run build`.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const ROUTES = ['/', '/methods/', '/methods/lora/', '/methods/prompt-tuning/', '/methods/bitfit/', '/compare/', '/benchmarks/', '/about/'];

function htmlFile(route) {
  return `out${route}index.html`;
}

// Modern browsers skip noModule scripts (Next's legacy polyfills), so they are not counted.
function scriptsOf(html) {
  return [...html.matchAll(/<script([^>]*)>/g)]
    .filter((m) => !/\bnoModule\b/i.test(m[1]))
    .map((m) => /src="([^"]+)"/.exec(m[1])?.[1])
    .filter((src) => src?.startsWith('/_next/'));
}

const kb = (n) => (n / 1024).toFixed(1).padStart(7);
if (!existsSync('out/index.html')) {
  console.error('No build in out/: run `npm run build` first.');
  process.exit(1);
}

console.log('route                        scripts   raw KiB  gzip KiB');
for (const route of ROUTES) {
  const scripts = [...new Set(scriptsOf(readFileSync(htmlFile(route), 'utf8')))];
  let raw = 0;
  let gzip = 0;
  for (const src of scripts) {
    const body = readFileSync(`out${src.split('?')[0]}`);
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  console.log(`${route.padEnd(28)} ${String(scripts.length).padStart(7)} ${kb(raw)}  ${kb(gzip)}`);
}
