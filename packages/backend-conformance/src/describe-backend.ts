/**
 * `describeBackend`: the one entry point. It registers the backend with `@gated/tensor` under a
 * name of its own, activates it for the duration of the suite, checks memory around every test,
 * and wires in every suite of `./suites`.
 */
import type { BackendFactory } from '@gated/backend-api';
import { listBackends, memory, registerBackend, removeBackend, setBackend, type MemoryInfo } from '@gated/tensor';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { SuiteContext, type RunState } from './harness/context.js';
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
 * they were before it.
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
  const state: RunState = { backendName: name, factory, options, ids: new Set(), backend: null, unavailable: null, refused: null };
  let registered: string | null = null;
  let baseline: MemoryInfo | null = null;

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
      } catch (error) {
        // A factory that cannot create the backend (no device) skips the suite; anything else,
        // such as the engine refusing the backend's contract version, is a failure.
        if (attempt.factoryFailed) state.unavailable = reasonOf(error);
        else state.refused = error;
      }
    });

    afterAll(() => {
      if (registered !== null) removeBackend(registered);
      state.backend = null;
    });

    beforeEach((context) => {
      baseline = null;
      if (state.unavailable !== null) context.skip(`backend "${name}" is unavailable: ${state.unavailable}`);
      if (state.refused !== null) throw new Error(`backend "${name}" could not be activated: ${reasonOf(state.refused)}`, { cause: state.refused });
      baseline = memory();
    });

    afterEach(() => {
      if (baseline === null || state.backend === null) return;
      const now = memory();
      const leak = 'memory must be back to where the test found it';
      expect(now.numTensors, `${leak}: live tensors`).toBe(baseline.numTensors);
      expect(now.numBuffers, `${leak}: engine buffers`).toBe(baseline.numBuffers);
      expect(now.backend?.buffers, `${leak}: backend buffers (backend.memory().buffers)`).toBe(baseline.backend?.buffers);
    });

    const root = new SuiteContext(state);
    for (const suite of SUITES) suite(root);

    root.it('skip list', () => {
      const unknown = Object.keys(options.skip ?? {}).filter((id) => !state.ids.has(id));
      expect(unknown, 'skip entries that name no suite or test (ids are /-joined titles)').toEqual([]);
    });
  });
}
