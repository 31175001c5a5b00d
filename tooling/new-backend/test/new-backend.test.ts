// `pnpm new-backend` end to end, in a throwaway copy of the workspace: the command writes the
// package, pnpm records it in the lockfile (and `--frozen-lockfile` then agrees), and the package
// as generated typechecks, lints, builds, passes the package check and runs the conformance suite,
// whose failures are all "not implemented" (the rest blocked by those kernels). Each step is
// bounded work with no time limit (docs/decisions/0021).
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, linkDependencies } from './workspace-copy.js';

const exec = promisify(execFile);
let root = '';
const dir = () => join(root, 'packages', 'backend-probe');

/** Runs a command; on failure the error carries its whole output. */
async function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`, { cause: error });
  }
}

const tool = (name: string, bin: string) => join(dir(), 'node_modules', name, bin);

beforeAll(async () => {
  root = await copyWorkspace();
});

afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('pnpm new-backend probe', () => {
  it('writes the package and registers it with the release test', async () => {
    const printed = await run(
      process.execPath,
      [join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/main.ts', 'probe', '--no-install'],
      join(import.meta.dirname, '..'),
      {
        GATED_ROOT: root,
      },
    );
    expect(printed).toContain('pnpm verify --filter @gated/backend-probe');
    const release = JSON.parse(await readFile(join(root, 'tooling/release-test/package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(release.devDependencies['@gated/backend-probe']).toBe('workspace:*');
    expect(await readFile(join(root, '.changeset/backend-probe.md'), 'utf8')).toMatch(/^---\n"@gated\/backend-probe": minor\n---\n/);
  });

  it('refuses a second run for the same name, and bad names', async () => {
    const main = [join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/main.ts'];
    const cwd = join(import.meta.dirname, '..');
    await expect(run(process.execPath, [...main, 'probe', '--no-install'], cwd, { GATED_ROOT: root })).rejects.toThrow(
      'packages/backend-probe exists already',
    );
    await expect(run(process.execPath, [...main, 'Probe'], cwd, { GATED_ROOT: root })).rejects.toThrow('"Probe" is not a backend name');
  });

  it('is recorded in pnpm-lock.yaml, and a frozen install agrees', async () => {
    await run('pnpm', ['install', '--lockfile-only', '--offline'], root);
    const lock = await readFile(join(root, 'pnpm-lock.yaml'), 'utf8');
    expect(lock).toMatch(/\n {2}packages\/backend-probe:\n {4}dependencies:\n {6}'@gated\/backend-api':\n {8}specifier: workspace:\*/);
    await run('pnpm', ['install', '--frozen-lockfile', '--lockfile-only', '--offline'], root);
  });

  it('typechecks and lints as generated, under the backend layering rule', async () => {
    await linkDependencies(dir());
    await run(process.execPath, [tool('typescript', 'bin/tsc'), '--noEmit'], dir());
    await run(process.execPath, [tool('eslint', 'bin/eslint.js'), '.'], dir());
    // The layering rule binds it: a backend importing @gated/tensor is refused.
    await writeFile(join(dir(), 'src', 'layering.ts'), "export { tensor } from '@gated/tensor';\n");
    await expect(run(process.execPath, [tool('eslint', 'bin/eslint.js'), 'src/layering.ts'], dir())).rejects.toThrow(
      'A backend imports only @gated/backend-api',
    );
    await rm(join(dir(), 'src', 'layering.ts'));
  });

  it('builds and passes the package check', async () => {
    await run(process.execPath, [tool('tsup', 'dist/cli-default.js')], dir());
    const checked = await run(process.execPath, [join(dir(), 'node_modules', '.bin', 'gated-check-package')], dir());
    expect(checked).toMatch(/@gated\/backend-probe: tarball [\d.]+ kB/);
  });

  it('runs the conformance suite: every failure is "not implemented", everything else blocked by those kernels', async () => {
    const report = join(root, 'conformance.json');
    // Node only: Chromium runs the same file (the generated config asks for both).
    await run(
      process.execPath,
      [tool('vitest', 'vitest.mjs'), 'run', '--project', 'node', '--reporter=json', `--outputFile=${report}`],
      dir(),
    ).catch(() => '');
    const results = JSON.parse(await readFile(report, 'utf8')) as {
      testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
    };
    const tests = results.testResults.flatMap((file) => file.assertionResults);
    const failed = tests.filter((t) => t.status === 'failed');
    const notImplemented = 'not implemented yet in the probe backend (packages/backend-probe/src/probe-backend.ts)';
    const other = failed.filter((t) => !t.failureMessages.join('\n').includes(notImplemented) && !t.fullName.endsWith('root causes'));
    expect(other.map((t) => `${t.fullName}: ${t.failureMessages.join('\n').slice(0, 300)}`)).toEqual([]);
    // Each kernel's own tests fail; storage works, so its tests pass.
    for (const kernel of ['fill', 'unary', 'binary', 'matmul', 'reduce', 'gather', 'random']) {
      expect(
        failed.some((t) => t.failureMessages.join('\n').includes(`GatedError: ${kernel}: ${notImplemented}`)),
        kernel,
      ).toBe(true);
    }
    expect(tests.find((t) => t.fullName.endsWith('storage write and read round-trip'))?.status).toBe('passed');
    const summary = failed.find((t) => t.fullName.endsWith('root causes'))?.failureMessages.join('\n') ?? '';
    expect(summary).toMatch(/\d+ kernels fail their own tests; fix them first/);
    expect(summary).toContain('binary > add: ');
    expect(tests.filter((t) => t.status === 'skipped' || t.status === 'pending').length).toBeGreaterThan(300);
  });
});
