/**
 * `pnpm bench:browser`: the browser runner. Same options and output as `pnpm bench`, measured in
 * headless Chromium (WebGPU, browser wasm with threads, TF.js's webgpu backend).
 */
import process from 'node:process';
import { DEFAULT_TOLERANCE, GRAD_TOLERANCE } from '../core/check.js';
import { parseArgs, USAGE } from '../core/options.js';
import { FULL_METHOD, QUICK_METHOD } from '../core/target.js';
import type { BenchResult } from '../core/types.js';
import { describeMachine } from '../node/machine.js';
import { writeOutputs } from '../node/output.js';
import { renderMarkdown } from '../report/markdown.js';
import { validateResult } from '../report/schema.js';
import { runBrowser } from './driver.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE.replace('pnpm bench', 'pnpm bench:browser'));
    return;
  }
  const started = performance.now();
  const run = await runBrowser(options, log);
  const method = options.quick ? QUICK_METHOD : FULL_METHOD;
  const result: BenchResult = {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    quick: options.quick,
    command: ['pnpm bench:browser', ...process.argv.slice(2)].join(' '),
    machine: describeMachine({ browser: run.browserVersion, ...(run.gpuAdapter ? { gpuAdapter: run.gpuAdapter } : {}) }),
    method: { ...method, tolerance: DEFAULT_TOLERANCE, gradTolerance: GRAD_TOLERANCE },
    rows: run.rows,
    skipped: run.skipped,
    durationS: (performance.now() - started) / 1000,
  };
  const problems = validateResult(result);
  if (problems.length > 0) throw new Error(`the result does not match its schema: ${problems.join('; ')}`);
  if (options.out !== null) log(`wrote ${(await writeOutputs(result, options.out)).join(', ')}`);
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderMarkdown(result));
  log(`done in ${result.durationS.toFixed(1)} s: ${result.rows.length} rows, ${result.skipped.length} skipped`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
