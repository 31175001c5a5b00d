/**
 * Finding, fetching and compiling the kernel module. Four binaries ship in `build/`: plain SIMD
 * and relaxed SIMD (chosen when `WebAssembly.validate` accepts a relaxed instruction), each with
 * private memory (one thread) or shared memory (worker threads).
 *
 * Each binary is named by its own `new URL('../build/…', import.meta.url)` expression: the same
 * relative path works from `src/` (source consumers) and from `dist/` (the published build), and
 * it is the pattern bundlers such as Vite recognise and emit as an asset. In Node the file is
 * read from disk; elsewhere it is fetched and compiled while it streams.
 */
import { GatedError } from '@gated/backend-api';

export type SimdLevel = 'relaxed' | 'simd';

function binaryUrl(simd: SimdLevel, threads: boolean): URL {
  if (simd === 'relaxed') {
    return threads
      ? new URL('../build/gated-relaxed-threads.wasm', import.meta.url)
      : new URL('../build/gated-relaxed.wasm', import.meta.url);
  }
  return threads ? new URL('../build/gated-simd-threads.wasm', import.meta.url) : new URL('../build/gated-simd.wasm', import.meta.url);
}

// Smallest modules with one function of type (v128, v128, v128) -> v128 whose body applies a
// three-operand instruction to its parameters: v128.bitselect (0xfd 0x52) for SIMD,
// f32x4.relaxed_madd (0xfd 0x85 0x02) for relaxed SIMD.
function probe(instruction: readonly number[]): Uint8Array<ArrayBuffer> {
  const body = [0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, ...instruction, 0x0b];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    0x01,
    0x08,
    0x01,
    0x60,
    0x03,
    0x7b,
    0x7b,
    0x7b,
    0x01,
    0x7b,
    0x03,
    0x02,
    0x01,
    0x00,
    0x0a,
    body.length + 2,
    0x01,
    body.length,
    ...body,
  ]);
}

/** Whether this engine runs 128-bit SIMD and relaxed SIMD. */
export function detectSimd(): { simd: boolean; relaxed: boolean } {
  if (typeof WebAssembly !== 'object') return { simd: false, relaxed: false };
  return {
    simd: WebAssembly.validate(probe([0xfd, 0x52])),
    relaxed: WebAssembly.validate(probe([0xfd, 0x85, 0x02])),
  };
}

/** True in Node (and runtimes that mimic it), where the binaries are read from disk. */
export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

// Node's built-ins are imported through a variable so that bundlers targeting browsers leave
// the import alone (it never runs there).
const nodeFs = 'node:fs/promises';
const nodeV8 = 'node:v8';

/**
 * Node 20's V8 runs relaxed SIMD only behind `--experimental-wasm-relaxed-simd`. When the caller
 * asks for relaxed SIMD explicitly, set that flag at run time (V8 reads it when it validates and
 * compiles a module) and report whether relaxed SIMD validates now. Never called for `auto`.
 */
export async function enableRelaxedSimdInNode(): Promise<boolean> {
  if (!isNode()) return false;
  const v8 = (await import(/* @vite-ignore */ nodeV8)) as typeof import('node:v8');
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return detectSimd().relaxed;
}

async function compile(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') {
    const { readFile } = (await import(/* @vite-ignore */ nodeFs)) as typeof import('node:fs/promises');
    const bytes = await readFile(url);
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) throw new GatedError('createWasmBackend', `cannot fetch ${url.href}: HTTP ${response.status}`);
  // compileStreaming needs the application/wasm MIME type; fall back to bytes when a server lacks it.
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** The compiled kernel module for a SIMD level and memory kind, compiled once per process. */
export function loadKernels(simd: SimdLevel, threads: boolean): Promise<WebAssembly.Module> {
  const url = binaryUrl(simd, threads);
  let module = compiled.get(url.href);
  if (!module) {
    module = compile(url).catch((error: unknown) => {
      compiled.delete(url.href);
      throw new GatedError('createWasmBackend', `cannot load the kernel module ${url.href}`, { cause: error });
    });
    compiled.set(url.href, module);
  }
  return module;
}
