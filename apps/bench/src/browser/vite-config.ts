/**
 * Builds the browser runner's page. `virtual:gated-backends` lists the Gated backend packages
 * this workspace has (each a lazy `import()`), so a backend that lands later (webgpu) is measured
 * without touching the page. Sources of workspace packages are read through the `source` export
 * condition, as in the tests.
 */
import { fileURLToPath } from 'node:url';
import type { InlineConfig, Plugin } from 'vite';
import { BACKEND_PACKAGES } from '../core/discover.js';

const VIRTUAL = 'virtual:gated-backends';

function gatedBackends(): Plugin {
  return {
    name: 'gated-backends',
    resolveId(id) {
      return id === VIRTUAL ? `\0${VIRTUAL}` : null;
    },
    async load(id) {
      if (id !== `\0${VIRTUAL}`) return null;
      const entries: string[] = [];
      for (const pkg of BACKEND_PACKAGES) {
        const resolved = await this.resolve(pkg, fileURLToPath(new URL('./page.ts', import.meta.url)));
        entries.push(`  ${JSON.stringify(pkg)}: ${resolved ? `() => import(${JSON.stringify(pkg)})` : 'null'},`);
      }
      return `export const loaders = {\n${entries.join('\n')}\n};\n`;
    },
  };
}

/** The page's Vite config (inline: the driver runs under tsx, which reads the workspace's TypeScript sources). */
export function pageConfig(): InlineConfig {
  return {
    configFile: false,
    root: fileURLToPath(new URL('.', import.meta.url)),
    base: './',
    logLevel: 'error',
    plugins: [gatedBackends()],
    resolve: {
      conditions: ['source', 'module', 'browser', 'development|production'],
      // brain.js needs `stream.Writable` to exist (see stream-shim.ts).
      alias: { stream: fileURLToPath(new URL('./stream-shim.ts', import.meta.url)) },
    },
    build: {
      outDir: fileURLToPath(new URL('../../dist/browser', import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      // TF.js's threaded wasm build turns a function into its worker's source text: renaming
      // identifiers breaks it ("e is not defined" in the worker).
      minify: false,
      chunkSizeWarningLimit: 8000,
      reportCompressedSize: false,
    },
    worker: { format: 'es' },
  };
}
