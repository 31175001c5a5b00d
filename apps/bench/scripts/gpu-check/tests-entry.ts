/**
 * The real-GPU check's test program: the conformance suite and backend-webgpu's own tests,
 * bundled with `vitest` mapped to mini-vitest.ts. Prints one line per test and a summary; writes
 * the summary as JSON to `$GPU_CHECK_SUMMARY` when set; exits 1 when a test failed.
 */
import { writeFileSync } from 'node:fs';
import '../../../../packages/backend-webgpu/test/conformance.test.js';
import '../../../../packages/backend-webgpu/test/sequence.test.js';
import '../../../../packages/backend-webgpu/test/sequence-v11.test.js';
import '../../../../packages/backend-webgpu/test/dispatches.test.js';
import '../../../../packages/backend-webgpu/test/matmul.test.js';
import '../../../../packages/backend-webgpu/test/math.test.js';
import '../../../../packages/backend-webgpu/test/storage.test.js';
import '../../../../packages/backend-webgpu/test/failures.test.js';
import '../../../../packages/backend-webgpu/test/long-run.test.js';
import { run } from './mini-vitest.js';

const started = performance.now();
const summary = await run((line) => {
  process.stdout.write(`${line}\n`);
});
const result = { ...summary, seconds: (performance.now() - started) / 1000 };
process.stdout.write(
  `\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped in ${result.seconds.toFixed(1)} s\n`,
);
const target = process.env['GPU_CHECK_SUMMARY'];
if (target) writeFileSync(target, `${JSON.stringify(result, null, 2)}\n`);
process.exit(summary.failed > 0 ? 1 : 0);
