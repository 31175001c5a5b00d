/**
 * The demo's build. Workspace packages are read from their TypeScript sources (the `source`
 * export condition, as in the tests); backend-wasm's `.wasm` files become assets through their
 * `new URL(…, import.meta.url)`. `base: './'` lets the build run from any folder of any static
 * host. The dev server sends the cross-origin-isolation headers, as scripts/serve.ts does.
 */
import { defineConfig } from 'vite';
import { ISOLATION_HEADERS } from './scripts/headers.js';

export default defineConfig({
  base: './',
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@gated/backend-wasm'] },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // The pretrained weights and the corpus stay files (fetched by the worker), never inlined.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
