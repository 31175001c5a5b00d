/**
 * The release test (docs/decisions/0005): the real release path into fresh projects, inside
 * `pnpm verify` (turbo runs it after every package is built).
 *
 *   1. copy the workspace's packages and `.changeset/` to a temporary directory and run
 *      `changeset version` there;
 *   2. start Verdaccio on 127.0.0.1 and `changeset publish` every public package to it;
 *   3. `npm install` the packages into fresh projects and run the documented programs: Node ESM
 *      and CommonJS, tsc with node16 and bundler resolution (`skipLibCheck: false`), Vite, esbuild
 *      and webpack production bundles in headless Chromium with and without cross-origin
 *      isolation, and the published conformance suite's fixture tests;
 *   4. check the README's size table and the first-load bundle sizes.
 *
 * Verdaccio, the static server and Chromium are stopped, and the temporary directory removed,
 * whatever happens (set GATED_KEEP_RELEASE_TMP=1 to keep the directory for a look).
 * `--update-sizes` rewrites the README's size table and bundle-sizes.json from this run.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserConsumer } from './browser-consumer.js';
import { conformanceConsumer } from './conformance-consumer.js';
import { readmeExample, trainingExample } from './docs.js';
import { nodeConsumer } from './node-consumer.js';
import { publishAll } from './publish.js';
import { startRegistry, type LocalRegistry } from './registry.js';
import { bundleSizeProblems, describeBundleSizes, sizeTableProblems, withSizeTable } from './sizes.js';
import { packageDir, repoRoot, step } from './util.js';
import { versionedCopy } from './workspace.js';

const update = process.argv.includes('--update-sizes');
const baselineFile = join(packageDir, 'bundle-sizes.json');
const readmeFile = join(repoRoot, 'README.md');

async function main(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'gated-release-'));
  let registry: LocalRegistry | null = null;
  const stopRegistry = (): void => {
    void registry?.stop();
  };
  // Ctrl-C or a CI timeout: still stop the registry and leave no temporary directory behind.
  const interrupted = (signal: NodeJS.Signals): void => {
    stopRegistry();
    void rm(temp, { recursive: true, force: true }).finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // Last resort if the process dies past `finally` (an uncaught error): remove the directory.
  const removeOnExit = (): void => {
    if (process.env.GATED_KEEP_RELEASE_TMP !== '1') rmSync(temp, { recursive: true, force: true });
  };
  process.once('exit', removeOnExit);
  try {
    const readme = await readFile(readmeFile, 'utf8');
    const readmeProgram = readmeExample(readme);
    const training = trainingExample(await readFile(join(repoRoot, 'docs', 'getting-started.md'), 'utf8'));

    step('changeset version in a throwaway copy of the workspace');
    const copy = await versionedCopy(join(temp, 'workspace'));
    step(`  ✓ ${copy.packages.length} packages at ${copy.version}`);

    step('Verdaccio on 127.0.0.1, changeset publish');
    registry = await startRegistry(join(temp, 'registry'));
    const emptyUserConfig = join(temp, 'empty-npmrc');
    await writeFile(emptyUserConfig, '');
    const published = await publishAll(copy, registry, emptyUserConfig);
    step(`  ✓ ${published.length} packages published to ${registry.url}`);

    const options = { registry, npmCache: join(temp, 'npm-cache'), emptyUserConfig };
    await mkdir(options.npmCache);
    step('Node: npm install, tsc (node16), ESM and CommonJS');
    await nodeConsumer(join(temp, 'node-app'), copy.version, readmeProgram, training, options);
    step('Browser: npm install, tsc (bundler), Vite / esbuild / webpack, headless Chromium');
    const firstLoad = await browserConsumer(join(temp, 'web-app'), copy.version, readmeProgram, training, options);
    step('The published conformance suite, fixture tests, Vitest 5.0.5');
    const passed = await conformanceConsumer(join(temp, 'conformance-app'), copy.version, options);
    step(`  ✓ ${passed} conformance tests passed`);

    const baseline = JSON.parse(await readFile(baselineFile, 'utf8').catch(() => '{}')) as Record<string, number>;
    step(`First-load size of the README example (baseline: bundle-sizes.json)\n${describeBundleSizes(baseline, firstLoad)}`);
    if (update) {
      await writeFile(readmeFile, withSizeTable(readme, published));
      await writeFile(baselineFile, `${JSON.stringify(firstLoad, null, 2)}\n`);
      step('  updated the README size table and bundle-sizes.json');
    }
    const problems = update ? [] : [...sizeTableProblems(readme, published), ...bundleSizeProblems(baseline, firstLoad)];
    if (problems.length > 0) {
      throw new Error(
        `sizes:\n  ${problems.join('\n  ')}\n` +
          'If the change is intended, run `pnpm --filter @gated/release-test release-test --update-sizes` and commit README.md and bundle-sizes.json.',
      );
    }
    step('release test passed');
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    process.off('exit', removeOnExit);
    await registry?.stop();
    if (process.env.GATED_KEEP_RELEASE_TMP === '1') step(`kept ${temp}`);
    else await rm(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`\n✗ release test failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
