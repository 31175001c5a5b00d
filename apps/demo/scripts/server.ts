/**
 * A small static server for the production build (dist/): what `pnpm start` runs and what the
 * e2e tests load. With `isolated` (the default) it sends COOP/COEP, so wasm threads work; without,
 * it behaves like a static host that cannot set headers (the one-thread fallback).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { ISOLATION_HEADERS } from './headers.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.safetensors': 'application/octet-stream',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface ServeOptions {
  readonly root: string;
  readonly port?: number;
  readonly host?: string;
  readonly isolated?: boolean;
}

export async function serve(options: ServeOptions): Promise<{ server: Server; url: string }> {
  const root = resolve(options.root);
  const isolated = options.isolated ?? true;
  const server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      let file = join(root, path);
      if (file !== root && !file.startsWith(root + sep)) {
        response.writeHead(403).end('forbidden');
        return;
      }
      const info = await stat(file).catch(() => null);
      if (info?.isDirectory()) file = join(file, 'index.html');
      const found = await stat(file).catch(() => null);
      if (!found?.isFile()) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      response.writeHead(200, {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(found.size),
        'Cache-Control': 'no-cache',
        ...(isolated ? ISOLATION_HEADERS : {}),
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no address');
  return { server, url: `http://${address.address === '::1' ? '[::1]' : address.address}:${address.port}/` };
}
