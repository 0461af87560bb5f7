// Copies files the static site serves from its own origin out of node_modules into public/
// (both folders are git-ignored: the installed packages are the one source):
// - TensorFlow.js's WebAssembly binaries into public/tfjs/ (the WASM backend fetches them; see setWasmPaths);
// - KaTeX's stylesheet and woff2 fonts into public/katex/ (pages with math link and preload them
//   at fixed URLs; see lib/content/katex-assets.ts);
// - the benchmark datasets' JSON and CSV from content/data/ into public/data/ (git-ignored copies).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function copy(from, to, filter) {
  mkdirSync(to, { recursive: true });
  const files = readdirSync(from).filter(filter);
  for (const f of files) copyFileSync(join(from, f), join(to, f));
  return files.length;
}

const wasm = copy(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), 'public/tfjs', (f) => f.endsWith('.wasm'));
const katexDist = dirname(require.resolve('katex/dist/katex.min.css'));
copy(katexDist, 'public/katex', (f) => f === 'katex.min.css');
const fonts = copy(join(katexDist, 'fonts'), 'public/katex/fonts', (f) => f.endsWith('.woff2'));
console.log(`copied ${wasm} TensorFlow.js .wasm files to public/tfjs/ and KaTeX's stylesheet with ${fonts} fonts to public/katex/`);
// The benchmark datasets, for the download links at /data/<name>.json and .csv (npm run data writes them).
const DATASETS = ['toy-benchmark', 'analytic-costs', 'survey-results'];
const datasetFiles = DATASETS.flatMap((name) => [`${name}.json`, `${name}.csv`]);
const data = copy('content/data', 'public/data', (f) => datasetFiles.includes(f));
if (data !== datasetFiles.length) {
  const missing = datasetFiles.filter((f) => !existsSync(join('content/data', f)));
  console.error(`missing dataset files in content/data/: ${missing.join(', ')} (run npm run data)`);
  process.exit(1);
}
console.log(`copied ${data} dataset files to public/data/`);
