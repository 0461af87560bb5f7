// Serves the static export in out/ on localhost (PORT, default 3000), as any static host would.
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import sirv from 'sirv';

const port = Number(process.env.PORT ?? 3000);
if (!existsSync('out/index.html')) {
  console.error('out/ has no site yet: run `npm run build` first.');
  process.exit(1);
}

const serveStatic = sirv('out', { extensions: ['html'], etag: true });

createServer((req, res) =>
  serveStatic(req, res, () => {
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    createReadStream('out/404.html').pipe(res);
  }),
).listen(port, '127.0.0.1', () => console.log(`PEFT Atlas is served at http://localhost:${port}/`));
