// Serves the static export in out/ on localhost (PORT, default 3000) as a well-configured static
// host would: the .br/.gz files the build wrote beside each asset (scripts/postbuild.mjs) for
// clients that accept them, hashed assets cached for a year, everything else revalidated by ETag.
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import sirv from 'sirv';

/** Next.js puts a content hash in every file name under /_next/static/: a new build means new URLs. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** HTML, the search index and unhashed files: the browser may keep them but asks first (ETag). */
export const REVALIDATE = 'no-cache';

export function cacheControl(pathname) {
  return pathname.startsWith('/_next/static/') ? IMMUTABLE : REVALIDATE;
}

/** A request handler for the site in `dir`. */
export function createSiteHandler(dir = 'out') {
  const serveStatic = sirv(dir, { extensions: ['html'], etag: true, gzip: true, brotli: true });
  return (req, res) => {
    // Set before sirv answers, so a 304 carries it too.
    res.setHeader('Cache-Control', cacheControl(new URL(req.url ?? '/', 'http://localhost').pathname));
    serveStatic(req, res, () => {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': REVALIDATE });
      createReadStream(`${dir}/404.html`).pipe(res);
    });
  };
}

/** Starts the server; resolves with it once it listens. */
export function serve({ dir = 'out', port = Number(process.env.PORT ?? 3000), host = '127.0.0.1' } = {}) {
  if (!existsSync(`${dir}/index.html`)) throw new Error(`${dir}/ has no site yet: run \`npm run build\` first.`);
  const server = createServer(createSiteHandler(dir));
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const server = await serve();
    console.log(`PEFT Atlas is served at http://localhost:${server.address().port}/`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
