// The one tsup config of every published package. A package's tsup.config.ts is
//   import { gatedTsup } from '@gated/build-config/tsup';
//   export default gatedTsup();
// Entry points come from the package's `exports` (every subpath with a `source` condition, see
// package-rules.js), so a new subpath needs no build change. `overrides` are for what one package
// needs on top (the conformance suite's fixture plugin).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';
import { entriesFromExports } from './package-rules.js';

/** @param {import('tsup').Options} [overrides] */
export function gatedTsup(overrides = {}) {
  // tsup runs with the package directory as its working directory (pnpm runs scripts there).
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
  return defineConfig({
    entry: entriesFromExports(pkg),
    format: ['esm'],
    dts: true,
    // Maps carry the sources (sourcesContent), so stack traces and debuggers show TypeScript
    // without src/ in the tarball.
    sourcemap: true,
    clean: true,
    target: 'es2022',
    ...overrides,
  });
}
