// Compiles the AssemblyScript kernels in assembly/ into the four binaries the package ships in
// build/: plain SIMD and relaxed SIMD, each with private memory (one thread) and with shared
// memory (worker threads). The loader picks one at run time (src/loader.ts).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = fileURLToPath(new URL('..', import.meta.url));
// asc resolves the entry file against the working directory: build from any directory.
process.chdir(root);

/** wasm32's 4 GiB; the host chooses the actual maximum when it creates a shared memory. */
const MAXIMUM_PAGES = 65536;

const common = [
  'assembly/index.ts',
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  '--noAssert',
  '--runtime',
  'stub',
  '--use',
  'abort=',
  '--importMemory',
  '--initialMemory',
  '1',
  '--enable',
  'simd',
  '--enable',
  'threads',
];

const variants = [
  { file: 'gated-simd.wasm', flags: [] },
  { file: 'gated-relaxed.wasm', flags: ['--enable', 'relaxed-simd'] },
  { file: 'gated-simd-threads.wasm', flags: ['--sharedMemory', '--maximumMemory', String(MAXIMUM_PAGES)] },
  { file: 'gated-relaxed-threads.wasm', flags: ['--enable', 'relaxed-simd', '--sharedMemory', '--maximumMemory', String(MAXIMUM_PAGES)] },
];

await mkdir(new URL('../build', import.meta.url), { recursive: true });
const results = await Promise.all(
  variants.map(async ({ file, flags }) => {
    let log = '';
    const sink = {
      write: (text) => {
        log += String(text);
        return true;
      },
    };
    const { error } = await asc.main([...common, ...flags, '--outFile', `build/${file}`], { stdout: sink, stderr: sink, baseDir: root });
    return { file, error, log };
  }),
);
let failed = false;
for (const { file, error, log } of results) {
  if (error) {
    failed = true;
    process.stderr.write(`asc failed for ${file}: ${error.message}\n${log}\n`);
  } else {
    process.stdout.write(`built build/${file}\n`);
  }
}
if (failed) process.exit(1);
