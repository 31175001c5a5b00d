#!/usr/bin/env node
// `pnpm check:package` of a published package: packs it the way `pnpm publish` does, then checks
// what npm users would get. The workspace manifest must follow package-rules.js; the packed
// manifest must not carry the workspace-only `source` condition or `workspace:` ranges; README
// links must work on the registry's page; publint (strict) and attw (ESM-only profile) must pass
// on the tarball itself. Prints the tarball and unpacked sizes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestProblems, packedManifestProblems, relativeLinks } from './package-rules.js';

const here = dirname(fileURLToPath(import.meta.url));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

/** The executable of a dependency of this package (pnpm links direct dependencies beside it). */
function binOf(packageName, binName) {
  const dir = join(here, 'node_modules', packageName);
  const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return join(dir, typeof bin === 'string' ? bin : bin[binName]);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const cwd = process.cwd();
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
const problems = manifestProblems(pkg).map((problem) => `package.json: ${problem}`);
const scratch = mkdtempSync(join(tmpdir(), 'gated-check-package-'));
let failed = false;
try {
  const packed = run('pnpm', ['pack', '--pack-destination', scratch, '--json'], { cwd });
  if (packed.status !== 0) throw new Error(`pnpm pack failed:\n${packed.stderr || packed.stdout}`);
  const tarball = JSON.parse(packed.stdout).filename;
  const extracted = run('tar', ['-xzf', tarball, '-C', scratch]);
  if (extracted.status !== 0) throw new Error(`cannot unpack ${tarball}: ${extracted.stderr}`);
  const root = join(scratch, 'package');
  const files = filesUnder(root).map((file) => relative(root, file).split('\\').join('/'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  problems.push(...packedManifestProblems(manifest, files).map((problem) => `packed package.json: ${problem}`));
  if (files.includes('README.md')) {
    for (const link of relativeLinks(readFileSync(join(root, 'README.md'), 'utf8'))) {
      problems.push(`README.md: the link ${link} works only inside the repository; use a https://github.com/... address`);
    }
  } else {
    problems.push('the tarball has no README.md');
  }

  for (const [label, command] of [
    ['publint', [binOf('publint', 'publint'), tarball, '--strict']],
    ['attw', [binOf('@arethetypeswrong/cli', 'attw'), tarball, '--profile', 'esm-only']],
  ]) {
    const result = run(process.execPath, command, { cwd, stdio: 'inherit' });
    if (result.status !== 0) problems.push(`${label} failed (output above)`);
  }

  const unpacked = files.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
  console.log(`${pkg.name}: tarball ${kB(statSync(tarball).size)}, unpacked ${kB(unpacked)}, ${files.length} files`);
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const problem of problems) {
  console.error(`✗ ${pkg.name}: ${problem}`);
  failed = true;
}
process.exitCode = failed ? 1 : 0;
