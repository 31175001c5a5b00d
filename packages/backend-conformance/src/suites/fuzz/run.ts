/**
 * The fuzz suite's oracle and settings. Each generated case calls one public function with the
 * generated arguments and must end one of two ways: a `GatedError` naming one of the function's
 * ops, or a well-formed result (live tensors of valid shapes whose values read back). Either way
 * the live tensors, buffers and bytes (the engine's and the backend's) are back where they were,
 * and the library still computes known values afterwards.
 *
 * Settings: `GATED_FUZZ_RUNS` cases per family (default 25: bounded, for `pnpm verify`) and
 * `GATED_FUZZ_SEED` (a number, or `random`; default a fixed seed per family, so a run is
 * reproducible). In Node they come from the environment; in browsers from the value the shared
 * Vitest config provides as `gatedFuzz` (tooling/vitest-config). A failure prints fast-check's
 * report: the seed, the path, and the shrunk counterexample to replay it.
 */
import { dispose, matmul, memory, sum, tanh, tensor, tidy, Tensor, type MemoryInfo } from '@gated/tensor';
import { Module } from '@gated/lstm';
import fc from 'fast-check';
import { expect, inject } from 'vitest';
import { Materialized, type ArgSpec } from './values.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** `GATED_FUZZ_RUNS`, `GATED_FUZZ_SEED` and `GATED_FUZZ_TRACE` of the process that started Vitest. */
    gatedFuzz?: { readonly runs?: string; readonly seed?: string; readonly trace?: string };
  }
}

/** One fuzzed function: its name (as the counterexample shows it), the ops its errors may name, its arguments. */
export interface Target {
  readonly name: string;
  /** GatedError ops that are acceptable; a string ending in `*` matches a prefix (`Adam*`). */
  readonly ops: readonly string[];
  readonly args: readonly fc.Arbitrary<ArgSpec>[];
  readonly call: (...args: unknown[]) => unknown;
}

const DEFAULT_RUNS = 25;

const ENV = { runs: 'GATED_FUZZ_RUNS', seed: 'GATED_FUZZ_SEED', trace: 'GATED_FUZZ_TRACE' } as const;

function setting(name: keyof typeof ENV): string | undefined {
  let provided: { readonly runs?: string; readonly seed?: string; readonly trace?: string } | undefined;
  try {
    provided = inject('gatedFuzz');
  } catch {
    provided = undefined;
  }
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const fromEnv = env?.[ENV[name]];
  const value = provided?.[name] ?? fromEnv;
  return value === '' ? undefined : value;
}

/** Writes straight to the process's stderr where there is one (a crash loses what a console buffers). */
function trace(line: string): void {
  const stderr = (globalThis as { process?: { stderr?: { write(text: string): void } } }).process?.stderr;
  if (stderr) stderr.write(line);
  // eslint-disable-next-line no-console -- a browser has no stderr: the console is where a trace goes
  else console.error(line);
}

/** fast-check parameters for one family: bounded by default, deep when the environment asks. */
export function fuzzParameters(family: string): { numRuns: number; seed: number; endOnFailure: false } {
  const runs = Number(setting('runs') ?? DEFAULT_RUNS);
  const seedSetting = setting('seed');
  let seed = 0;
  for (const ch of family) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
  if (seedSetting === 'random') seed = (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
  else if (seedSetting !== undefined) seed = Number(seedSetting) | 0;
  return { numRuns: Number.isFinite(runs) && runs > 0 ? runs : DEFAULT_RUNS, seed, endOnFailure: false };
}

/**
 * Runs a property and throws fast-check's report (seed, path, shrunk counterexample) with the
 * line that replays it: the settings in Node's environment, which the shared Vitest config also
 * passes on to browsers. `GATED_FUZZ_RUNS` is the family count the run was given.
 */
export async function checkProperty<T>(property: fc.IAsyncProperty<T>, parameters: fc.Parameters<T>): Promise<void> {
  const details = await fc.check(property, parameters);
  if (!details.failed) return;
  const runs = setting('runs') ?? String(DEFAULT_RUNS);
  const replay = `replay: GATED_FUZZ_SEED=${details.seed} GATED_FUZZ_RUNS=${runs} (with -t fuzz to run only this suite)`;
  throw new Error(`${fc.defaultReportMessage(details)}\n${replay}`, { cause: details.errorInstance });
}

/** A case as fast-check generates it: the target's index and its arguments. */
export function casesOf(targets: readonly Target[]): fc.Arbitrary<[string, ArgSpec[]]> {
  return fc.oneof(...targets.map((target) => fc.tuple(fc.constant(target.name), fc.tuple(...target.args))));
}

function gatedOp(error: unknown): string | null {
  if (error instanceof Error && error.name === 'GatedError' && typeof (error as { op?: unknown }).op === 'string') {
    return (error as Error & { op: string }).op;
  }
  return null;
}

function accepts(ops: readonly string[], op: string): boolean {
  return ops.some((allowed) => (allowed.endsWith('*') ? op.startsWith(allowed.slice(0, -1)) : op === allowed));
}

interface Counts {
  readonly tensors: number;
  readonly buffers: number;
  readonly bytes: number;
  readonly backendBuffers: number | undefined;
  readonly backendBytes: number | undefined;
}

function counts(info: MemoryInfo = memory()): Counts {
  return {
    tensors: info.numTensors,
    buffers: info.numBuffers,
    bytes: info.numBytes,
    backendBuffers: info.backend?.buffers,
    backendBytes: info.backend?.bytes,
  };
}

/** Every tensor and module in a result (modules own parameters: disposing them frees those). */
function disposeResult(result: unknown): void {
  if (result instanceof Module) result.dispose();
  else if (Array.isArray(result) && result.some((item) => item instanceof Module)) {
    for (const item of result as unknown[]) disposeResult(item);
  } else dispose(result);
}

/** Checks that a successful result holds only live tensors whose values read back at their size. */
async function checkResult(name: string, result: unknown, seen = new Set<unknown>()): Promise<void> {
  if (result === null || typeof result !== 'object' || seen.has(result)) return;
  seen.add(result);
  if (result instanceof Tensor) {
    const t = result as Tensor;
    expect(t.isDisposed, `${name} returned a disposed tensor`).toBe(false);
    const values: ArrayLike<number> = await t.data();
    // `===`, not Object.is: a shape written with -0 has a size of -0.
    expect(values.length === t.size, `${name}: a result of shape [${t.shape.join(',')}] read back ${values.length} values`).toBe(true);
    return;
  }
  if (result instanceof Module || result instanceof Map) return;
  if (Array.isArray(result) || Object.getPrototypeOf(result) === Object.prototype) {
    for (const item of Object.values(result)) await checkResult(name, item, seen);
  }
}

/** `sum(tanh([1, 2] · W))` for the README's W: 0.87078… on every backend (float32). */
async function canary(): Promise<void> {
  const value = tidy(() =>
    sum(
      tanh(
        matmul(
          tensor([[1, 2]]),
          tensor([
            [0.5, -0.3],
            [0.8, 0.1],
          ]),
        ),
      ),
    ),
  );
  try {
    expect(await value.item(), 'the library still computes a known value after the case').toBeCloseTo(Math.tanh(2.1) + Math.tanh(-0.1), 5);
  } finally {
    value.dispose();
  }
}

/** Runs one generated case against the oracle (see the file's comment). */
export async function runCase(targets: ReadonlyMap<string, Target>, name: string, specs: readonly ArgSpec[]): Promise<void> {
  const target = targets.get(name)!;
  // A case that kills the process (out of memory) cannot be shrunk: GATED_FUZZ_TRACE=1 logs each one first.
  if (setting('trace') !== undefined) trace(`fuzz case: ${name} ${fc.stringify(specs)}\n`);
  const before = counts();
  const made = new Materialized();
  let result: unknown;
  let failure: { error: unknown } | null = null;
  try {
    const args = specs.map((spec) => made.of(spec));
    try {
      result = target.call(...args);
      if (result instanceof Promise) result = await result;
    } catch (error) {
      failure = { error };
    }
    if (failure === null) {
      try {
        await checkResult(name, result);
      } finally {
        disposeResult(result);
      }
    } else {
      const op = gatedOp(failure.error);
      const shown = failure.error instanceof Error ? `${failure.error.name}: ${failure.error.message}` : String(failure.error);
      expect(op, `${name} threw ${shown}, not a GatedError`).not.toBeNull();
      expect(
        accepts(target.ops, op!),
        `${name} threw a GatedError naming "${op}", expected one of ${target.ops.join(', ')}: ${shown}`,
      ).toBe(true);
      expect((failure.error as Error).message.startsWith(`${op!}: `), `the message starts with the op: ${shown}`).toBe(true);
    }
  } finally {
    made.dispose();
  }
  expect(counts(), `${name}: live tensors, buffers and bytes after the case`).toEqual(before);
  await canary();
}
