/**
 * `describeBackend`: the one entry point. It registers the backend with `@gated/tensor` under a
 * name of its own, activates it for the duration of the suite, checks memory around every test,
 * and wires in every suite of `./suites`.
 */
import type { BackendFactory } from '@gated/backend-api';
import { listBackends, registerBackend, removeBackend, setBackend } from '@gated/tensor';
import { afterAll, afterEach, assert, beforeAll, beforeEach, describe } from 'vitest';
import { SuiteContext, suiteTimeout, type RunState } from './harness/context.js';
import { KernelRecorder, setActiveRecorder } from './harness/kernel-calls.js';
import { leakSince, snapshot, type MemorySnapshot } from './harness/memory.js';
import { RootCauses } from './harness/root-cause.js';
import type { ConformanceOptions } from './options.js';
import { SUITES } from './suites/index.js';

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function uniqueName(base: string): string {
  const taken = new Set(listBackends());
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}#${n}`;
  return name;
}

/**
 * Registers Gated's backend conformance suite for one backend: every kernel against a float64
 * reference (values, broadcasting, edge shapes, NaN and ±∞, dtypes, views), random streams,
 * creation and readback, memory behaviour, and bad input. Call it once at the top level of a
 * test file; it works in Node and in browsers.
 *
 * The backend is created in `beforeAll`. If the factory rejects (no GPU, no WebGPU adapter),
 * every test is reported as skipped with the rejection's message, never as passed. After every
 * test the live tensors, engine buffers and the backend's own buffer count must be back where
 * they were before it; a leak is reported with the kernels whose buffers are still live.
 *
 * Kernel suites run first. A test that fails after calling a kernel that fails its own tests is
 * reported as skipped, "blocked by binary > sub", and the last test, `root causes`, lists the
 * kernels to fix first (docs/decisions/0022).
 *
 * @param name - Shown in the report (`conformance: <name>`) and used in the registered backend's name.
 * @param factory - Creates the backend, as `registerBackend` takes it (may be async).
 * @param options - Skips with reasons, tolerance multipliers, documented leniencies.
 *
 * @example
 * ```ts
 * import { describeBackend } from '@gated/backend-conformance';
 * import { createTsBackend } from '../src/index.js';
 * describeBackend('ts', createTsBackend);
 * ```
 */
export function describeBackend(name: string, factory: BackendFactory, options: ConformanceOptions = {}): void {
  const state: RunState = {
    backendName: name,
    factory,
    options,
    ids: new Set(),
    backend: null,
    unavailable: null,
    refused: null,
    recorder: null,
    causes: new RootCauses(),
    blocked: false,
  };
  let registered: string | null = null;
  let baseline: MemorySnapshot | null = null;

  describe(`conformance: ${name}`, () => {
    beforeAll(async () => {
      registered = uniqueName(`conformance:${name}`);
      const attempt = { factoryFailed: false };
      registerBackend(registered, async () => {
        try {
          return await factory();
        } catch (error) {
          attempt.factoryFailed = true;
          throw error;
        }
      });
      try {
        state.backend = await setBackend(registered);
        state.recorder = new KernelRecorder();
        state.recorder.install(state.backend);
        setActiveRecorder(state.recorder);
      } catch (error) {
        // A factory that cannot create the backend (no device) skips the suite; anything else,
        // such as the engine refusing the backend's contract version, is a failure.
        if (attempt.factoryFailed) state.unavailable = reasonOf(error);
        else state.refused = error;
      }
      // Creating a backend (compiling wasm, requesting a GPU device) is bounded work: no time limit.
    }, suiteTimeout());

    afterAll(() => {
      setActiveRecorder(null);
      if (registered !== null) removeBackend(registered);
      state.backend = null;
    });

    beforeEach((context) => {
      baseline = null;
      if (state.unavailable !== null) context.skip(`backend "${name}" is unavailable: ${state.unavailable}`);
      if (state.refused !== null)
        throw new Error(`backend "${name}" could not be activated: ${reasonOf(state.refused)}`, { cause: state.refused });
      baseline = snapshot();
    });

    afterEach(() => {
      // A test skipped as blocked stopped half-way: what it left live is not a leak of its own.
      if (baseline === null || state.backend === null || state.blocked) return;
      const leak = leakSince(baseline);
      if (leak !== '') assert.fail(`memory must be back where the test found it: ${leak}`);
    });

    const root = new SuiteContext(state);
    for (const suite of SUITES) suite(root);

    root.it('skip list', () => {
      const unknown = Object.keys(options.skip ?? {}).filter((id) => !state.ids.has(id));
      if (unknown.length > 0) assert.fail(`skip entries that name no suite or test (ids are /-joined titles): ${unknown.join(', ')}`);
    });

    root.it('root causes', () => {
      const summary = state.causes.summary();
      if (summary !== '') assert.fail(summary);
    });
  });
}
