/**
 * `@gated/backend-conformance`: the one test suite every Gated backend must pass. A backend's
 * test file is three lines:
 *
 * @example
 * ```ts
 * import { describeBackend } from '@gated/backend-conformance';
 * import { createTsBackend } from '../src/index.js';
 * describeBackend('ts', createTsBackend);
 * ```
 */
export { describeBackend } from './describe-backend.js';
export type { ConformanceOptions } from './options.js';
