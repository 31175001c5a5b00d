/**
 * The documented programs in Node, from the installed packages: typechecked with `moduleResolution:
 * node16` and `skipLibCheck: false`, compiled by tsc to an ES module (`.mts` → `.mjs`, top-level
 * await) and to CommonJS (`.cts` → `.cjs`, whose imports become `require()` of the ESM packages),
 * and run with this Node; each must print what the documentation says. The training program also
 * runs on the wasm backend with two worker threads, the README example on the WebGPU backend
 * (Dawn, the optional `webgpu` package a user installs beside it; SwiftShader on machines without
 * a GPU driver), and the README example once more under `node --conditions=source` (the
 * workspace-only condition must not reach users). The WebGPU program also proves that the
 * package's types compile without WebGPU's own (`lib` has no DOM here).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outputMismatch, onWasmBackend, onWebGpuBackend, toCommonJs, type DocumentedProgram } from './docs.js';
import { createProject, linkTool, type ProjectOptions } from './projects.js';
import { check, dependencyFile, run, step, tail } from './util.js';

const PACKAGES = [
  '@gated/tensor',
  '@gated/autograd',
  '@gated/backend-ts',
  '@gated/backend-wasm',
  '@gated/backend-webgpu',
  '@gated/lstm',
  '@gated/optim',
];

/** tsconfig of a Node project: node16 resolution, strict, the shipped types checked too. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    // `module: node16` refuses `require()` of an ES module (TS1479); node20 (TypeScript 5.9)
    // models Node ≥ 20.19, where it works.
    module: 'node20',
    moduleResolution: 'node16',
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    rootDir: 'src',
    outDir: 'out',
    noEmitOnError: true,
  },
  include: ['src'],
};

export interface NodeRun {
  readonly label: string;
  readonly file: string;
  readonly expected: readonly string[];
  readonly nodeArgs?: readonly string[];
}

/** Runs each compiled program and collects every difference from its documented output. */
async function runPrograms(dir: string, runs: readonly NodeRun[]): Promise<string[]> {
  const problems: string[] = [];
  for (const program of runs) {
    const result = await run(process.execPath, [...(program.nodeArgs ?? []), join('out', program.file)], { cwd: dir });
    if (result.code !== 0) {
      problems.push(`${program.label}: exit ${String(result.code)}\n${tail(result.stderr || result.stdout)}`);
      continue;
    }
    const mismatch = outputMismatch(result.stdout, program.expected);
    if (mismatch) problems.push(`${program.label}: ${mismatch}`);
    else step(`  ✓ ${program.label}`);
  }
  return problems;
}

export async function nodeConsumer(
  dir: string,
  version: string,
  readme: DocumentedProgram,
  training: DocumentedProgram,
  options: ProjectOptions,
): Promise<void> {
  await createProject(dir, PACKAGES, version, options);
  await linkTool(dir, '@types/node');
  // `npm install webgpu` in a user's project: Dawn, the optional peer of @gated/backend-webgpu.
  await linkTool(dir, 'webgpu');
  await mkdir(join(dir, 'src'));
  const sources: Record<string, string> = {
    'readme.mts': readme.code,
    'readme.cts': toCommonJs(readme.code),
    'train.mts': training.code,
    'train.cts': toCommonJs(training.code),
    'train-wasm.mts': onWasmBackend(training.code, 2),
    'readme-webgpu.mts': onWebGpuBackend(readme.code),
  };
  for (const [file, code] of Object.entries(sources)) await writeFile(join(dir, 'src', file), code);
  await writeFile(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  await check('tsc (moduleResolution node16, skipLibCheck false)', process.execPath, [dependencyFile('typescript', 'bin/tsc'), '-p', '.'], {
    cwd: dir,
  });
  step('  ✓ tsc with moduleResolution node16, skipLibCheck false');

  const problems = await runPrograms(dir, [
    { label: 'README example, Node ESM', file: 'readme.mjs', expected: readme.expected },
    { label: 'README example, Node CommonJS (require)', file: 'readme.cjs', expected: readme.expected },
    { label: 'README example, Node ESM, webgpu backend on Dawn', file: 'readme-webgpu.mjs', expected: readme.expected },
    { label: 'README example, node --conditions=source', file: 'readme.mjs', expected: readme.expected, nodeArgs: ['--conditions=source'] },
    { label: 'LSTM training with Adam, Node ESM', file: 'train.mjs', expected: training.expected },
    { label: 'LSTM training with Adam, Node CommonJS (require)', file: 'train.cjs', expected: training.expected },
    { label: 'LSTM training with Adam, Node ESM, wasm backend with 2 threads', file: 'train-wasm.mjs', expected: training.expected },
  ]);
  if (problems.length > 0) throw new Error(`Node consumer:\n${problems.join('\n\n')}`);
}
