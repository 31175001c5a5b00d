/**
 * The bundler path: Vite builds a tiny page that imports `@gated/backend-wasm` and must emit the
 * four kernel binaries as assets, referenced from the bundle, whether the package is consumed as
 * published (`dist/`) or from source (the `source` condition). Node only: `vite build` is a Node
 * program (vitest.config.ts keeps `*.node.test.ts` out of the browser project).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const BINARIES = ['gated-simd', 'gated-relaxed', 'gated-simd-threads', 'gated-relaxed-threads'];

async function bundle(entry: string, conditions: string[]): Promise<{ assets: string[]; code: string }> {
  const root = await mkdtemp(join(tmpdir(), 'gated-wasm-vite-'));
  try {
    await writeFile(join(root, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
    await writeFile(
      join(root, 'main.js'),
      "import { createWasmBackend } from '@gated/backend-wasm';\nconst backend = await createWasmBackend();\ndocument.title = backend.info.simd;\n",
    );
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      resolve: { alias: { '@gated/backend-wasm': entry }, conditions },
      build: { outDir: join(root, 'dist'), target: 'es2022', minify: false },
    });
    const assetDir = join(root, 'dist', 'assets');
    const files = await readdir(assetDir);
    const scripts = files.filter((file) => file.endsWith('.js'));
    const code = (await Promise.all(scripts.map((file) => readFile(join(assetDir, file), 'utf8')))).join('\n');
    return { assets: files.filter((file) => file.endsWith('.wasm')), code };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function expectEveryBinary({ assets, code }: { assets: string[]; code: string }): void {
  for (const name of BINARIES) {
    const asset = assets.find((file) => new RegExp(`^${name}-[\\w-]+\\.wasm$`).test(file));
    expect(asset, `${name}.wasm emitted as an asset (got ${assets.join(', ')})`).toBeDefined();
    expect(code, `the bundle references ${asset!}`).toContain(asset!);
  }
}

describe('vite build', () => {
  it('bundles the published build (dist/) with its wasm assets', async () => {
    const entry = join(packageRoot, 'dist', 'index.js');
    expect(existsSync(entry), 'dist/index.js exists (run `pnpm build` first; turbo does before `test`)').toBe(true);
    expectEveryBinary(await bundle(entry, ['module', 'browser', 'default']));
  });

  it('bundles the sources (the `source` condition) with the same assets', async () => {
    expectEveryBinary(await bundle(join(packageRoot, 'src', 'index.ts'), ['source', 'module', 'browser', 'default']));
  });
});
