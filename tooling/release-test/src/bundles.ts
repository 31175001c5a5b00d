/**
 * Production bundles of the documented programs from a consumer project, with the three bundlers
 * users reach for: Vite (Rolldown; every page), esbuild and webpack 5 (the README example).
 * Each page loads `capture.ts` first, which records what the program prints and reports the end
 * of the run and the backend's `info` for the browser half of the test.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build as esbuild, transform } from 'esbuild';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';

/** The page-side recorder every entry imports first. */
export const CAPTURE_SOURCE = `// Records what the program prints (console.log, formatted like JSON for objects) and how it ends.
const lines: string[] = [];
const format = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
const print = console.log.bind(console);
console.log = (...values: unknown[]) => {
  lines.push(values.map(format).join(' '));
  print(...values);
};
Reflect.set(globalThis, '__gatedLines', lines);
const fail = (reason: unknown): void => {
  Reflect.set(globalThis, '__gatedFailed', reason instanceof Error ? String(reason.stack ?? reason.message) : String(reason));
};
addEventListener('error', (event) => {
  fail(event.error ?? event.message);
});
addEventListener('unhandledrejection', (event) => {
  fail(event.reason);
});

/** Marks the run as finished, with the active backend's info. */
export function finish(info: unknown): void {
  Reflect.set(globalThis, '__gatedDone', { info });
}
`;

/** A documented program as a page entry: the recorder first, the program, then the report of its end. */
export function pageEntry(program: string): string {
  return [
    "import { finish } from './capture.js';",
    "import { getBackend as backendOfThisPage } from '@gated/tensor';",
    program.trimEnd(),
    'finish(backendOfThisPage().info ?? null);',
    '',
  ].join('\n');
}

function html(script: string, module = true): string {
  return `<!doctype html>\n<meta charset="utf-8">\n<title>Gated release test</title>\n<script${module ? ' type="module"' : ''} src="${script}"></script>\n`;
}

/** Vite: one production build with a page per entry (`<name>.html` → `<name>.ts`) into `dist-vite/`. */
export async function buildWithVite(dir: string, entries: readonly string[]): Promise<void> {
  const outDir = join(dir, 'dist-vite');
  const input: Record<string, string> = {};
  for (const name of entries) {
    await writeFile(join(dir, `${name}.html`), html(`./${name}.ts`));
    input[name] = join(dir, `${name}.html`);
  }
  await viteBuild({
    root: dir,
    base: './',
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    build: { outDir, target: 'es2022', emptyOutDir: true, rolldownOptions: { input } },
  });
}

/**
 * Files a browser bundle must never contain: a package's Node entry (`dist/node.js`, chosen by the
 * `node` export condition) and Dawn, the `webgpu` package. esbuild bundles for the browser
 * platform, so an import of a Node built-in (`node:fs`) already fails the build.
 */
const NODE_ONLY = /(^|[\\/])node_modules[\\/](@gated[\\/][^\\/]+[\\/]dist[\\/]node\.js$|webgpu[\\/])/;

/** The bundled files (esbuild's metafile inputs) that only Node can run. */
export function nodeOnlyFiles(inputs: readonly string[]): string[] {
  return inputs.filter((input) => NODE_ONLY.test(input));
}

/**
 * esbuild: a minified ESM bundle of one entry for the browser. Resolves with esbuild's warnings
 * (e.g. an ignored bare import) and any Node-only file it bundled.
 */
export async function buildWithEsbuild(dir: string, entry: string): Promise<string[]> {
  const outDir = join(dir, 'dist-esbuild');
  const result = await esbuild({
    absWorkingDir: dir,
    entryPoints: [`./${entry}.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(outDir, `${entry}.js`),
    logLevel: 'silent',
    metafile: true,
  });
  await writeFile(join(outDir, `${entry}.html`), html(`./${entry}.js`));
  const nodeOnly = nodeOnlyFiles(Object.keys(result.metafile.inputs));
  return [
    ...result.warnings.map((warning) => `esbuild warned: ${warning.id}: ${warning.text} (${warning.location?.file ?? ''})`),
    ...nodeOnly.map((input) => `the browser bundle of ${entry} contains a Node-only file: ${input}`),
  ];
}

/**
 * webpack 5 in production mode (tree shaking, `sideEffects`, minification) of one entry, from its
 * JavaScript. Resolves with webpack's warnings; errors reject.
 */
export async function buildWithWebpack(dir: string, entry: string): Promise<string[]> {
  const outDir = join(dir, 'dist-webpack');
  const sources = join(dir, 'webpack-src');
  await mkdir(sources, { recursive: true });
  // webpack has no TypeScript of its own: strip the types file by file (no bundling) first.
  for (const name of [entry, 'capture']) {
    const { code } = await transform(await readFile(join(dir, `${name}.ts`), 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' });
    await writeFile(join(sources, `${name}.js`), code);
  }
  const stats = await new Promise<webpack.Stats>((resolve, reject) => {
    webpack(
      {
        mode: 'production',
        context: dir,
        entry: `./webpack-src/${entry}.js`,
        output: { path: outDir, filename: `${entry}.js` },
        target: 'web',
        experiments: { topLevelAwait: true },
        performance: { hints: false },
      },
      (error, result) => {
        if (error) reject(error);
        else if (!result) reject(new Error('webpack returned no stats'));
        else resolve(result);
      },
    );
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  if ((info.errors ?? []).length > 0) throw new Error(`webpack:\n${(info.errors ?? []).map((error) => error.message).join('\n')}`);
  await writeFile(join(outDir, `${entry}.html`), html(`./${entry}.js`, false));
  return (info.warnings ?? []).map((warning) => `webpack warned: ${warning.message}`);
}
