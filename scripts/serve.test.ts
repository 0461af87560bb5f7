import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompress } from './precompress.mjs';
import { serve } from './serve.mjs';

/** A GET with exactly these request headers (fetch would add its own Accept-Encoding and decode). */
function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the static server (scripts/serve.mjs) over a precompressed build', () => {
  const script = `console.log(${JSON.stringify('a hashed chunk '.repeat(200))});`;
  const html = `<!doctype html><html><body>${'<p>page text</p>'.repeat(200)}</body></html>`;
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-test-'));
    mkdirSync(join(dir, '_next/static/chunks'), { recursive: true });
    mkdirSync(join(dir, 'methods'));
    writeFileSync(join(dir, '_next/static/chunks/abc123.js'), script);
    writeFileSync(join(dir, 'index.html'), html);
    writeFileSync(join(dir, 'methods/index.html'), html);
    writeFileSync(join(dir, '404.html'), '<!doctype html><title>Not found</title>');
    await precompress(dir);
    server = await serve({ dir, port: 0 });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the brotli copy of a script to a client that accepts br, cached for a year', async () => {
    const res = await get(port, '/_next/static/chunks/abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body.length).toBeLessThan(script.length / 5);
    const { brotliDecompressSync } = await import('node:zlib');
    expect(brotliDecompressSync(res.body).toString()).toBe(script);
  });

  it('falls back to gzip, then to the file itself', async () => {
    const gz = await get(port, '/_next/static/chunks/abc123.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await get(port, '/_next/static/chunks/abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('makes the browser revalidate pages, and answers 304 to a matching ETag', async () => {
    const page = await get(port, '/methods/', { 'accept-encoding': 'br' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = page.headers.etag;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await get(port, '/methods/', { 'accept-encoding': 'br', 'if-none-match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toBe('no-cache');
  });

  it('answers an unknown path with the 404 page', async () => {
    const res = await get(port, '/no-such-page/');
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('Not found');
  });
});
