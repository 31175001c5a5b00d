/**
 * The published conformance suite as a backend author runs it: `@gated/backend-conformance` and
 * `@gated/backend-ts` installed from the registry, Vitest 5.0.5 and fast-check (its peers, linked
 * from this workspace), and the three lines of its README. Only the tests that read the PyTorch fixtures
 * run (`-t`), which proves that the lazily loaded fixture chunks resolve and agree from the
 * tarball.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProject, linkTool, type ProjectOptions } from './projects.js';
import { check, dependencyFile } from './util.js';

/** Test names that need a fixture: the LSTM/GRU cases, the MLP's loss curve, the optimizer trajectories. */
const FIXTURE_TESTS = "agreement with PyTorch|follows PyTorch's loss curve|trajectories";

interface VitestReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
}

export async function conformanceConsumer(dir: string, version: string, options: ProjectOptions): Promise<number> {
  // npm would install the vitest and fast-check peers from the registry, which serves only @gated: link them instead.
  await createProject(dir, ['@gated/backend-conformance', '@gated/backend-ts', '@gated/tensor'], version, options, ['--legacy-peer-deps']);
  await linkTool(dir, 'vitest');
  await linkTool(dir, 'fast-check');
  await writeFile(
    join(dir, 'conformance.test.js'),
    "import { describeBackend } from '@gated/backend-conformance';\nimport { createTsBackend } from '@gated/backend-ts';\ndescribeBackend('ts', createTsBackend);\n",
  );
  const report = join(dir, 'vitest-report.json');
  await check(
    'vitest run of the published conformance suite',
    process.execPath,
    [dependencyFile('vitest', 'vitest.mjs'), 'run', '--reporter=json', `--outputFile=${report}`, '-t', FIXTURE_TESTS],
    { cwd: dir },
  );
  const result = JSON.parse(await readFile(report, 'utf8')) as VitestReport;
  // 25 LSTM/GRU cases (most twice), the MLP and 27 optimizer trajectories.
  if (result.numFailedTests > 0 || result.numPassedTests < 70) {
    throw new Error(
      `the published conformance suite: ${result.numPassedTests} passed, ${result.numFailedTests} failed (expected at least 70 passing)`,
    );
  }
  return result.numPassedTests;
}
