// Builds the self-contained folder the real-GPU check carries to a machine that has a GPU but no
// network and no node_modules (see gpu-check.sh): three bundled Node programs (tests, benchmark,
// long run), Dawn (the `webgpu` package's Linux binary), the Vulkan loader, the PyTorch worker,
// and Node itself (xz-compressed) for machines without one.
//
//   node apps/bench/scripts/gpu-check/bundle.mjs OUT_DIR
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const bench = resolve(here, '../..');
const repo = resolve(bench, '../..');
const out = resolve(process.argv[2] ?? join(repo, '.gpu-check'));
const require = createRequire(join(bench, 'package.json'));

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'node_modules'), { recursive: true });

// Discovery imports backends through variable specifiers (for packages that may not exist);
// in the bundle they are literal imports, and backend-wasm (which loads .wasm files next to its
// sources) is left out.
const staticBackends = {
  name: 'static-backends',
  setup(b) {
    b.onLoad({ filter: /src[\\/]node[\\/]backends\.ts$/ }, () => ({
      loader: 'ts',
      contents: `export function nodeLoaders() {
  return {
    '@gated/backend-ts': () => import('@gated/backend-ts'),
    '@gated/backend-webgpu': () => import('@gated/backend-webgpu'),
  };
}`,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  logLevel: 'warning',
  // Packages say `sideEffects: false`, yet the test files and `import '@gated/autograd'` are
  // imported for their effects (registering tests, installing autodiff): keep every import.
  ignoreAnnotations: true,
  // Dawn stays a real package (a native addon); the rest are never loaded by these programs.
  external: ['webgpu', 'onnxruntime-node', 'brain.js', 'playwright-core', 'vite', '@tensorflow/tfjs-backend-wasm', '@gated/backend-wasm'],
  // CommonJS dependencies (TF.js) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __gatedRequire } from 'node:module'; const require = __gatedRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: [join(here, 'tests-entry.ts')],
  outfile: join(out, 'tests.mjs'),
  alias: { vitest: join(here, 'mini-vitest.ts') },
});
await build({ ...common, entryPoints: [join(bench, 'src/cli.ts')], outfile: join(out, 'bench.mjs'), plugins: [staticBackends] });
await build({ ...common, entryPoints: [join(repo, 'packages/backend-webgpu/scripts/long-run.ts')], outfile: join(out, 'long-run.mjs') });

// Dawn for Linux x64: its loader, and the one binary the loader picks, xz-compressed (gpu-check.sh
// unpacks it).
const webgpu = dirname(require.resolve('webgpu/package.json'));
const dawnDir = join(out, 'node_modules/webgpu');
mkdirSync(join(dawnDir, 'dist/linux-x64'), { recursive: true });
for (const file of ['package.json', 'index.js']) copyFileSync(join(webgpu, file), join(dawnDir, file));
const xz = (from, to) => execFileSync('sh', ['-c', `xz -T0 -6 -c "${from}" > "${to}"`]);
xz(join(webgpu, 'dist/linux-x64/dawn.node'), join(out, 'dawn.node.xz'));

// Version stamps of the peers, read by the benchmark's machine description.
for (const pkg of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu']) {
  const { name, version } = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8'));
  mkdirSync(join(out, 'node_modules', pkg), { recursive: true });
  writeFileSync(join(out, 'node_modules', pkg, 'package.json'), `${JSON.stringify({ name, version })}\n`);
}

copyFileSync(join(bench, 'torch/bench_torch.py'), join(out, 'bench_torch.py'));

// The Vulkan loader, for machines whose image lacks it (the NVIDIA driver brings only its ICD).
const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/chromium/libvulkan.so.1'].find((p) => existsSync(p));
if (loader) {
  mkdirSync(join(out, 'lib'), { recursive: true });
  copyFileSync(loader, join(out, 'lib/libvulkan.so.1'));
}

// Node itself, compressed, for machines without Node 20+.
xz(process.execPath, join(out, 'node.xz'));

const manifest = {
  created: new Date().toISOString(),
  node: process.version,
  commit: (() => {
    try {
      return execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })(),
  files: Object.fromEntries(
    ['tests.mjs', 'bench.mjs', 'long-run.mjs', 'dawn.node.xz', 'lib/libvulkan.so.1', 'node.xz', 'bench_torch.py']
      .filter((f) => existsSync(join(out, f)))
      .map((f) => [f, statSync(join(out, f)).size]),
  ),
};
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const total = Object.values(manifest.files).reduce((a, b) => a + b, 0);
console.log(`bundle in ${out}: ${(total / 2 ** 20).toFixed(1)} MiB`);
for (const [file, size] of Object.entries(manifest.files)) console.log(`  ${file.padEnd(48)} ${(size / 2 ** 20).toFixed(1)} MiB`);
