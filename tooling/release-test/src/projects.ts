/**
 * Fresh consumer projects: an empty npm project whose `.npmrc` points at the local registry, into
 * which `npm install` brings the published packages as a user's install would. Tools that a user
 * would install from the public registry (TypeScript's Node types, Vitest) are linked from this
 * workspace's lockfile instead, so the test needs no network.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalRegistry } from './registry.js';
import { check, childEnv, dependencyDir } from './util.js';
import { writeNpmrc } from './workspace.js';

export interface ProjectOptions {
  readonly registry: LocalRegistry;
  /** npm's cache for the run (empty at the start, so every tarball comes from the registry). */
  readonly npmCache: string;
  /** An empty file, so that the user's own ~/.npmrc cannot redirect the install. */
  readonly emptyUserConfig: string;
}

/** Creates `dir` as an ESM npm project and installs `packages` (names, no versions: the registry's `latest`). */
export async function createProject(
  dir: string,
  packages: readonly string[],
  version: string,
  options: ProjectOptions,
  npmFlags: readonly string[] = [],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'gated-consumer', private: true, type: 'module' }, null, 2)}\n`);
  await writeNpmrc(dir, [`registry=${options.registry.url}`]);
  await check('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...npmFlags, ...packages], {
    cwd: dir,
    env: childEnv({ npm_config_cache: options.npmCache, npm_config_userconfig: options.emptyUserConfig }),
  });
  for (const name of packages) {
    const installed = JSON.parse(await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    if (installed.version !== version)
      throw new Error(`npm installed ${name}@${installed.version}, not the version just published (${version})`);
  }
}

/** Links one of this workspace's dependencies into a project's node_modules (see the module comment). */
export async function linkTool(dir: string, name: string): Promise<void> {
  const link = join(dir, 'node_modules', name);
  await mkdir(join(link, '..'), { recursive: true });
  await symlink(dependencyDir(name), link, 'dir');
}
