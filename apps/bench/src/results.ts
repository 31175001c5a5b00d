/**
 * `pnpm bench:results`: regenerates apps/bench/results/ from one Node run and one browser run
 * on this machine: latest.json (rows of both, the machine described), README.md (the tables),
 * chart.svg. `--quick` makes it the quick sweep (the README says which). Other options are
 * passed to both runners. `--render-only` re-renders README.md and chart.svg from latest.json
 * without measuring.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { runBrowser } from './browser/driver.js';
import { parseArgs } from './core/options.js';
import type { BenchResult } from './core/types.js';
import { runNode } from './node/run-node.js';
import { writeOutputs } from './node/output.js';
import { validateResult } from './report/schema.js';

const RESULTS = fileURLToPath(new URL('../results', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--render-only')) {
    const saved = JSON.parse(await readFile(join(RESULTS, 'latest.json'), 'utf8')) as BenchResult;
    const problems = validateResult(saved);
    if (problems.length > 0) throw new Error(`results/latest.json does not match its schema: ${problems.join('; ')}`);
    log(`re-rendered ${(await writeOutputs(saved, RESULTS, { json: 'latest.json', md: 'README.md', svg: 'chart.svg' })).join(', ')}`);
    return;
  }
  const options = parseArgs(args);
  // eslint-disable-next-line no-console -- libraries print banners with console.log: send them to stderr
  console.log = (...args: unknown[]) => {
    log(args.map(String).join(' '));
  };
  const started = performance.now();
  const command = ['pnpm bench:results', ...process.argv.slice(2)].join(' ');
  const node = await runNode(options, log, command);
  let browser: Awaited<ReturnType<typeof runBrowser>> | null = null;
  let browserProblem: string | null = null;
  try {
    browser = await runBrowser(options, log);
  } catch (error) {
    browserProblem = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    log(`browser run failed: ${browserProblem}`);
  }
  const result: BenchResult = {
    ...node,
    machine: {
      ...node.machine,
      ...(browser ? { browser: browser.browserVersion } : {}),
      ...(browser?.gpuAdapter ? { gpuAdapter: browser.gpuAdapter } : {}),
    },
    rows: [...node.rows, ...(browser?.rows ?? [])],
    skipped: [
      ...node.skipped,
      ...(browser?.skipped ?? [
        { workload: 'all', backend: 'all', env: 'browser' as const, reason: `the browser run failed: ${browserProblem ?? '?'}` },
      ]),
    ],
    durationS: (performance.now() - started) / 1000,
  };
  const problems = validateResult(result);
  if (problems.length > 0) throw new Error(`the result does not match its schema: ${problems.join('; ')}`);
  const files = await writeOutputs(result, RESULTS, { json: 'latest.json', md: 'README.md', svg: 'chart.svg' });
  log(`wrote ${files.join(', ')} in ${result.durationS.toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
