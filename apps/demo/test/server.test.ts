import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { serve } from '../scripts/server.js';

async function site(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'gated-demo-serve-'));
  await writeFile(join(parent, 'secret.txt'), 'not for the web');
  const root = join(parent, 'site');
  await mkdir(root);
  await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(root, 'k.wasm'), new Uint8Array([0, 97, 115, 109]));
  return root;
}

describe('the demo server', () => {
  test('sends the cross-origin-isolation headers and the right types', async () => {
    const { server, url } = await serve({ root: await site() });
    try {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect((await fetch(`${url}k.wasm`)).headers.get('content-type')).toBe('application/wasm');
      expect((await fetch(`${url}missing.js`)).status).toBe(404);
      // Nothing outside the root is served, however the path is spelled.
      for (const path of ['..%2fsecret.txt', '%2e%2e/secret.txt', '..%5csecret.txt']) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).not.toBe(200);
        expect(await response.text(), path).not.toContain('not for the web');
      }
    } finally {
      server.close();
    }
  });

  test('without isolation it behaves as a plain static host', async () => {
    const { server, url } = await serve({ root: await site(), isolated: false });
    try {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-opener-policy')).toBeNull();
      expect(page.headers.get('cross-origin-embedder-policy')).toBeNull();
    } finally {
      server.close();
    }
  });
});
