/**
 * Options a backend's three-line test file may pass to `describeBackend`. Every option that makes
 * the suite more lenient is explicit and shows up in the test report.
 */

/**
 * How `describeBackend` adapts the suite to a backend.
 *
 * @example
 * ```ts
 * import { describeBackend } from '@gated/backend-conformance';
 * import { createWebGpuBackend } from '../src/index.js';
 *
 * describeBackend('webgpu', createWebGpuBackend, {
 *   tolerance: { relative: 8, absolute: 4 },
 *   outOfRangeGather: 'zeros',
 *   skip: { 'unary/sin/special values': 'WGSL sin() is undefined for |x| > 2^23' },
 * });
 * ```
 */
export interface ConformanceOptions {
  /**
   * Suites or tests to skip, each with the reason, keyed by id: the `/`-joined titles under the
   * backend's top-level suite, e.g. `matmul` (a whole suite), `matmul/sizes` (a nested suite) or
   * `unary/exp/special values` (one test). A skipped entry is reported as skipped with the
   * reason in its title (`exp [skipped: reason]`), never as passed. An id that names no suite or
   * test fails the `skip list` check, so stale skips are noticed.
   */
  readonly skip?: Readonly<Record<string, string>>;
  /**
   * Multipliers for the suite's float tolerances (each documented where it is defined). GPU
   * backends whose transcendental functions or accumulation are less exact than float64-rounded
   * results may loosen them; both default to 1. Integer and bool results are always exact.
   */
  readonly tolerance?: {
    /** Multiplies every relative tolerance (`rtol`). */
    readonly relative?: number;
    /** Multiplies every absolute tolerance (`atol`). */
    readonly absolute?: number;
  };
  /**
   * What `gather` does with an index outside `[0, size)`. The contract lets a backend that
   * cannot check cheaply (a GPU) write 0 instead of throwing, if it says so; `'throws'` (the
   * default, and what every CPU backend must do) expects a `GatedError`.
   */
  readonly outOfRangeGather?: 'throws' | 'zeros';
}
