// Writes a brotli (.br) and a gzip (.gz) copy beside every compressible file in out/, once at build
// time, so the server (scripts/serve.mjs, or any static host that serves precompressed files)
// sends them to clients that accept them at no cost per request.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text and binary formats that shrink; fonts (woff2), images and Pagefind's index (gzip already) do not. */
const COMPRESSIBLE = /\.(html|js|mjs|css|txt|json|svg|xml|map|wasm|ttf|ico|bin|pagefind)$/;
/** A copy that saves less than this share is not worth a second file. */
const MIN_SAVING = 0.1;
/**
 * Brotli's top quality takes about ten times as long as quality 9 for some 8% less. It is spent on
 * the scripts and styles every page loads first; pages, data and binaries get quality 9.
 */
function brotliQuality(file) {
  return file.includes(join('_next', 'static')) ? constants.BROTLI_MAX_QUALITY : 9;
}
/** Files this small fit in one packet either way. */
const MIN_BYTES = 1024;

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => COMPRESSIBLE.test(f) && statSync(f).isFile());
}

/** Compresses one file both ways; returns its size and the size a brotli-capable client downloads. */
async function compressFile(file) {
  const body = readFileSync(file);
  for (const stale of [`${file}.br`, `${file}.gz`]) rmSync(stale, { force: true });
  if (body.length < MIN_BYTES) return { raw: body.length, br: body.length };
  const [br, gzipped] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: brotliQuality(file),
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gz(body, { level: 9 }),
  ]);
  const worth = (c) => c.length <= body.length * (1 - MIN_SAVING);
  if (worth(br)) writeFileSync(`${file}.br`, br);
  if (worth(gzipped)) writeFileSync(`${file}.gz`, gzipped);
  return { raw: body.length, br: worth(br) ? br.length : body.length };
}

/** Runs `task` over `items`, `limit` at a time (zlib's async calls use libuv's thread pool). */
async function pool(items, limit, task) {
  const results = [];
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

export async function precompress(dir = 'out') {
  const list = files(dir);
  const sizes = await pool(list, 4, compressFile);
  const raw = sizes.reduce((s, x) => s + x.raw, 0);
  const br = sizes.reduce((s, x) => s + x.br, 0);
  return { files: list.length, raw, br };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { files: n, raw, br } = await precompress(process.argv[2] ?? 'out');
  const mb = (b) => (b / 1048576).toFixed(1);
  console.log(`precompressed ${n} files: ${mb(raw)} MiB → ${mb(br)} MiB with brotli (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
