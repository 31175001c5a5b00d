/**
 * `pnpm start` (after the build): serves apps/demo/dist on http://localhost:5170 with the
 * cross-origin-isolation headers and prints the URL. `--port N`, `--no-isolation` (to try the
 * static-host fallback).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve } from './server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: process.env['PORT'] ?? '5170' }, 'no-isolation': { type: 'boolean', default: false } },
});
const root = fileURLToPath(new URL('../dist', import.meta.url));
if (!existsSync(root)) {
  console.error('apps/demo/dist does not exist: build first (pnpm start at the repository root builds, then serves)');
  process.exit(1);
}
const isolated = !values['no-isolation'];
const { url } = await serve({ root, port: Number(values.port), host: 'localhost', isolated });
console.log(`\n  Gated demo: ${url.replace('127.0.0.1', 'localhost')}\n`);
console.log(
  `  ${isolated ? 'cross-origin isolated (COOP/COEP): wasm runs with worker threads' : 'no isolation headers: wasm runs on one thread (the static-host fallback)'}`,
);
console.log('  Text generation, the gate inspector, forecasting and backends are the four tabs. Ctrl-C stops.\n');
