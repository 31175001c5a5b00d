/**
 * What every suite function receives: `describe`/`it` wrappers that give each suite and test an
 * id (its `/`-joined titles) and honour the backend's skip list, the backend under test, and the
 * tolerance scaling the backend asked for.
 */
import type { Backend, BackendFactory } from '@gated/backend-api';
import { describe, it } from 'vitest';
import type { ConformanceOptions } from '../options.js';
import type { Tolerance } from './compare.js';
import type { KernelRecorder } from './kernel-calls.js';
import { Rng } from './rng.js';
import type { RootCauses } from './root-cause.js';

/** Shared by every context of one `describeBackend` call. */
export interface RunState {
  readonly backendName: string;
  /** The factory `describeBackend` was given (suites may create a second instance). */
  readonly factory: BackendFactory;
  readonly options: ConformanceOptions;
  /** Every suite and test id registered, to find skip entries that name nothing. */
  readonly ids: Set<string>;
  /** The backend once `beforeAll` created it. */
  backend: Backend | null;
  /** Why the factory failed, when it did: the suite is skipped. */
  unavailable: string | null;
  /** Why the engine refused the backend the factory made (e.g. its contract version): every test fails. */
  refused: unknown;
  /** Records the kernels each test calls (installed once the backend exists). */
  recorder: KernelRecorder | null;
  /** Kernels that fail their own tests, and the tests elsewhere they block. */
  readonly causes: RootCauses;
  /** The running test failed because of a root-cause kernel and is being skipped: no memory check. */
  blocked: boolean;
}

/**
 * The time limit of each test: none (docs/decisions/0021). The suite's tests do bounded work, and
 * a backend author's Vitest without a config file would give each 5 s, which a loaded machine or a
 * software GPU exceeds. GATED_TEST_TIMEOUT_MS (where the process environment is readable) sets
 * one, to find a test that hangs.
 */
export function suiteTimeout(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const ms = Number(env?.['GATED_TEST_TIMEOUT_MS'] ?? 0);
  return Number.isInteger(ms) && ms > 0 ? ms : 0;
}

/** Vitest's `context.skip()` throws this; it must pass through untouched. */
function isSkip(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'VITEST_PENDING';
}

/** What a running test can do besides asserting. */
export interface TestControls {
  /**
   * Skips the test from inside, for conditions known only once the backend exists (e.g. an
   * optional fused kernel it does not offer). The reason shows in the report.
   */
  skip(reason: string): never;
}

/** A test body; `rng` is a generator seeded from the test's id. */
export type TestBody = (rng: Rng, controls: TestControls) => Promise<void> | void;

export class SuiteContext {
  constructor(
    private readonly state: RunState,
    private readonly path: readonly string[] = [],
  ) {}

  /** Name given to `describeBackend`. */
  get backendName(): string {
    return this.state.backendName;
  }

  get options(): ConformanceOptions {
    return this.state.options;
  }

  /** The backend's factory, for tests that need an instance of their own. */
  get factory(): BackendFactory {
    return this.state.factory;
  }

  /** The backend under test (inside tests only). */
  get backend(): Backend {
    if (!this.state.backend) throw new Error('the backend is only available inside tests');
    return this.state.backend;
  }

  /**
   * A suite; its body registers tests through the child context it receives. The body may be
   * async (Vitest awaits it while collecting): suites that need a reference fixture load it there,
   * so the fixtures stay out of the suite's entry module until a run collects them.
   */
  describe(name: string, body: (suite: SuiteContext) => void | Promise<void>): void {
    const id = this.register(name);
    const child = new SuiteContext(this.state, [...this.path, name]);
    const reason = this.skipReason(id);
    if (reason === undefined) describe(name, () => body(child));
    else describe.skip(`${name} [skipped: ${reason}]`, () => body(child));
  }

  /**
   * A test; the body gets a generator seeded from the test's id. When it fails after calling a
   * kernel that fails its own tests, it is skipped as "blocked by <kernel>" (root-cause.ts).
   */
  it(name: string, body: TestBody): void {
    const id = this.register(name);
    const reason = this.skipReason(id);
    const title = [...this.path, name].join(' > ');
    const state = this.state;
    const run = async (context: { skip(note?: string): never }): Promise<void> => {
      state.blocked = false;
      state.recorder?.begin();
      try {
        await body(Rng.fromText(`${state.backendName}/${id}`), { skip: (reason) => context.skip(reason) });
      } catch (error) {
        if (isSkip(error) || state.recorder === null) throw error;
        const note = state.causes.failed(title, state.recorder.called(), error);
        if (note === null) throw error;
        state.blocked = true;
        context.skip(note);
      }
    };
    if (reason === undefined) it(name, run, suiteTimeout());
    else it.skip(`${name} [skipped: ${reason}]`, run);
  }

  /** A tolerance scaled by the backend's multipliers. */
  tolerance(rtol: number, atol: number | ArrayLike<number>): Tolerance {
    const relative = this.state.options.tolerance?.relative ?? 1;
    const absolute = this.state.options.tolerance?.absolute ?? 1;
    return {
      rtol: rtol * relative,
      atol: typeof atol === 'number' ? atol * absolute : Array.from(atol, (a) => a * absolute),
    };
  }

  private register(name: string): string {
    if (name.includes('/')) throw new Error(`conformance: test and suite names must not contain "/": ${name}`);
    const id = [...this.path, name].join('/');
    if (this.state.ids.has(id)) throw new Error(`conformance: duplicate test id ${id}`);
    this.state.ids.add(id);
    return id;
  }

  private skipReason(id: string): string | undefined {
    const skip = this.state.options.skip;
    if (!skip || !Object.hasOwn(skip, id)) return undefined;
    return skip[id];
  }
}
