/**
 * `pnpm new-backend <name>`: a new backend package that builds, lints, typechecks and runs the
 * conformance suite (every kernel failing "not implemented" until it is written), registered in
 * the workspace and the lockfile. docs/adding-a-backend.md starts here.
 *
 *   pnpm new-backend f64                 writes packages/backend-f64, then runs pnpm install
 *   pnpm new-backend f64 --no-install    writes the files only (run pnpm install yourself)
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { nameProblem } from './names.js';
import { scaffold } from './scaffold.js';

const usage = 'usage: pnpm new-backend <name> [--no-install]   (name: lower-case letters and digits, e.g. f64, webgl, cpu-simd)';

async function main(args: readonly string[]): Promise<number> {
  const flags = args.filter((arg) => arg.startsWith('--'));
  const positional = args.filter((arg) => !arg.startsWith('--'));
  const unknown = flags.filter((flag) => flag !== '--no-install');
  const name = positional[0];
  if (name === undefined || positional.length > 1 || unknown.length > 0) {
    console.error(unknown.length > 0 ? `unknown option ${unknown.join(', ')}\n${usage}` : usage);
    return 2;
  }
  const problem = nameProblem(name);
  if (problem !== null) {
    console.error(problem);
    return 2;
  }
  // This file is tooling/new-backend/src/main.ts; GATED_ROOT points it at another workspace (its tests).
  const root = resolve(process.env.GATED_ROOT ?? resolve(import.meta.dirname, '..', '..', '..'));
  const { names, written } = await scaffold(root, name);
  console.log(`Wrote ${names.packageName}:\n  ${written.join('\n  ')}`);
  if (!flags.includes('--no-install')) {
    console.log('\npnpm install (adds the package to the workspace and pnpm-lock.yaml)');
    const result = spawnSync('pnpm', ['install', '--prefer-offline'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`pnpm install failed (exit ${String(result.status)}); the files are written: fix the cause and run pnpm install`);
      return 1;
    }
  }
  console.log(
    [
      '',
      'Next (docs/adding-a-backend.md):',
      `  pnpm --filter ${names.packageName} test     the conformance suite: each kernel's tests fail "not implemented", the rest is blocked`,
      `  edit ${names.folder}/src/${names.name}-backend.ts, one kernel at a time (the failures name what is left)`,
      `  edit .changeset/backend-${names.name}.md and ${names.folder}/README.md (what the backend is for)`,
      `  pnpm verify --filter ${names.packageName}   the finish line: typecheck, lint, test, package check`,
    ].join('\n'),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
