/**
 * A throwaway copy of the workspace for the generator's end-to-end test: the root manifests, the
 * lockfile and every workspace package's package.json (what pnpm needs to resolve the lockfile),
 * and nothing else. The generated package's node_modules link to the real workspace's packages
 * and tools, as `pnpm install` would, so it typechecks, lints, tests and packs without a second
 * install of the whole workspace.
 */
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** Folders of the workspace's packages (the globs of pnpm-workspace.yaml: `dir/*` or `dir`). */
async function workspaceFolders(root: string): Promise<string[]> {
  const lines = (await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8')).split('\n');
  const globs: string[] = [];
  // The `packages:` list: indented `- glob` lines up to the next top-level key.
  for (const line of lines.slice(lines.indexOf('packages:') + 1)) {
    if (/^\S/.test(line)) break;
    const glob = /^\s+-\s+(\S+)/.exec(line)?.[1];
    if (glob !== undefined) globs.push(glob);
  }
  const folders: string[] = [];
  for (const glob of globs) {
    if (!glob.endsWith('/*')) {
      folders.push(glob);
      continue;
    }
    const parent = glob.slice(0, -2);
    for (const entry of await readdir(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory()) folders.push(`${parent}/${entry.name}`);
    }
  }
  return folders.filter((folder) => existsSync(join(root, folder, 'package.json')));
}

/** Copies what pnpm needs of the workspace at `repoRoot` to a new temporary directory. */
export async function copyWorkspace(): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'gated-new-backend-'));
  const files = ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml', 'LICENSE', '.changeset/config.json'];
  for (const folder of await workspaceFolders(repoRoot)) files.push(`${folder}/package.json`);
  for (const file of files) {
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await copyFile(join(repoRoot, file), join(copy, file));
  }
  return copy;
}

/**
 * Links `packageDir/node_modules/<dependency>` for every dependency of its package.json to what
 * this package (which depends on the same packages and tools at the same pins) resolves it to:
 * workspace packages to their folders in the real workspace. Also the `gated-check-package` bin.
 */
export async function linkDependencies(packageDir: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const reference = join(import.meta.dirname, '..', 'node_modules');
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
    const link = join(packageDir, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(realpathSync(join(reference, name)), link, 'dir');
  }
  await mkdir(join(packageDir, 'node_modules', '.bin'), { recursive: true });
  await symlink(join('..', '@gated', 'build-config', 'check-package.js'), join(packageDir, 'node_modules', '.bin', 'gated-check-package'));
}
