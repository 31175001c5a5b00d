/**
 * A static file server for the built pages, on 127.0.0.1 and a port the system picks. The same
 * files are served under two prefixes: `/isolated/` with the COOP/COEP headers that make a page
 * cross-origin isolated (SharedArrayBuffer, worker threads), `/plain/` without them.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The file a served URL maps to, or null for another origin or prefix. */
  fileOf(url: string): string | null;
  close(): Promise<void>;
}

export async function serveStatic(root: string): Promise<StaticServer> {
  const fileOfPath = (pathname: string): { file: string; isolated: boolean } | null => {
    const match = /^\/(isolated|plain)(\/.*)$/.exec(decodeURIComponent(pathname));
    if (!match) return null;
    const file = normalize(join(root, match[2]!));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
    return { file, isolated: match[1] === 'isolated' };
  };
  const server = createServer((request, response) => {
    const target = fileOfPath(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (!target) {
      response.writeHead(404).end();
      return;
    }
    stat(target.file)
      .then(
        (info) => {
          if (!info.isFile()) throw new Error('not a file');
          response.writeHead(200, {
            'Content-Type': TYPES[extname(target.file)] ?? 'application/octet-stream',
            'Content-Length': info.size,
            'Cache-Control': 'no-store',
            ...(target.isolated ? ISOLATION_HEADERS : {}),
          });
          createReadStream(target.file).pipe(response);
        },
        () => response.writeHead(404).end(),
      )
      .catch(() => response.writeHead(404).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    fileOf(url) {
      const parsed = new URL(url);
      return parsed.origin === origin ? (fileOfPath(parsed.pathname)?.file ?? null) : null;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
