/**
 * `pnpm bench`: the Node runner. Prints the Markdown tables (with ratios to every peer) or, with
 * `--json`, the result as JSON on stdout; progress goes to stderr.
 */
import process from 'node:process';
import { parseArgs, USAGE } from './core/options.js';
import { runNode } from './node/run-node.js';
import { writeOutputs } from './node/output.js';
import { renderMarkdown } from './report/markdown.js';
import { validateResult } from './report/schema.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Libraries print banners with console.log; keep stdout for the result.
  // eslint-disable-next-line no-console -- libraries print banners with console.log: send them to stderr
  console.log = (...args: unknown[]) => {
    log(args.map(String).join(' '));
  };
  const command = ['pnpm bench', ...process.argv.slice(2)].join(' ');
  const result = await runNode(options, log, command);
  const problems = validateResult(result);
  if (problems.length > 0) throw new Error(`the result does not match its schema: ${problems.join('; ')}`);
  if (options.out !== null) {
    const files = await writeOutputs(result, options.out);
    log(`wrote ${files.join(', ')}`);
  }
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
