/**
 * The release's first half, on a throwaway copy: every public package (built), the root
 * manifests and `.changeset/` are copied to a temporary workspace, and `changeset version` bumps
 * them there exactly as a release would. The repository's own files and `.changeset/` state are
 * never written.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageManifest } from '@gated/build-config/package-rules';
import { dependencyDir, dependencyFile, node, repoRoot } from './util.js';

/** A publishable package of the workspace. */
export interface PublicPackage {
  readonly name: string;
  /** Directory name under packages/. */
  readonly folder: string;
  readonly manifest: PackageManifest;
}

async function readManifest(dir: string): Promise<PackageManifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** Every non-private package under `root/packages`, by name. */
export async function publicPackages(root: string = repoRoot): Promise<PublicPackage[]> {
  const folders = (await readdir(join(root, 'packages'), { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const found: PublicPackage[] = [];
  for (const { name: folder } of folders) {
    if (!existsSync(join(root, 'packages', folder, 'package.json'))) continue;
    const manifest = await readManifest(join(root, 'packages', folder));
    if (manifest.private !== true) found.push({ name: manifest.name, folder, manifest });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

const WORKSPACE_DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/**
 * `pnpm publish` turns `workspace:*` into the version of the package it finds in node_modules,
 * as in the real workspace after `pnpm install`: link each package's workspace dependencies to
 * the copies (so the bumped versions are read) or, for private tooling, to the repository.
 */
async function linkWorkspaceDependencies(copy: string, packages: readonly PublicPackage[]): Promise<void> {
  const copied = new Map(packages.map((p) => [p.name, join(copy, 'packages', p.folder)]));
  const tooling = new Map<string, string>();
  for (const entry of await readdir(join(repoRoot, 'tooling'), { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(repoRoot, 'tooling', entry.name, 'package.json'))) continue;
    tooling.set((await readManifest(join(repoRoot, 'tooling', entry.name))).name, join(repoRoot, 'tooling', entry.name));
  }
  for (const pkg of packages) {
    const dir = join(copy, 'packages', pkg.folder);
    for (const field of WORKSPACE_DEPENDENCY_FIELDS) {
      for (const [name, range] of Object.entries(pkg.manifest[field] ?? {})) {
        if (!range.startsWith('workspace:')) continue;
        const target = copied.get(name) ?? tooling.get(name);
        if (target === undefined) throw new Error(`${pkg.name} depends on ${name} (${range}), which is neither a package nor tooling`);
        const link = join(dir, 'node_modules', name);
        await mkdir(join(link, '..'), { recursive: true });
        if (!existsSync(link)) await symlink(target, link, 'dir');
      }
    }
  }
}

/**
 * The package.json files of the private workspace packages (apps, tooling, examples), relative
 * to `root`: copied so that `changeset version` sees the whole workspace, as a release does, and
 * the test can check it bumps none of them.
 */
async function privateManifests(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const parent of ['apps', 'tooling']) {
    for (const entry of await readdir(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
        found.push(`${parent}/${entry.name}/package.json`);
    }
  }
  if (existsSync(join(root, 'examples', 'package.json'))) found.push('examples/package.json');
  const manifests: string[] = [];
  for (const file of found)
    if ((JSON.parse(await readFile(join(root, file), 'utf8')) as PackageManifest).private === true) manifests.push(file);
  return manifests;
}

/** A built package has every file its published exports name. */
function missingBuildOutput(dir: string, manifest: PackageManifest): string[] {
  const targets = JSON.stringify(manifest.publishConfig?.exports ?? {}).match(/"\.\/dist\/[^"*]+"/g) ?? [];
  return targets.map((target) => target.slice(3, -1)).filter((file) => !existsSync(join(dir, file)));
}

/**
 * Right after a release `.changeset/` holds no changeset, and `changeset version` would bump
 * nothing; the copy then gets a patch changeset for every package, so the same path still runs.
 */
async function ensurePendingChangeset(dir: string, packages: readonly PublicPackage[]): Promise<void> {
  const pending = (await readdir(join(dir, '.changeset'))).filter((file) => file.endsWith('.md') && file !== 'README.md');
  if (pending.length > 0) return;
  const header = packages.map((pkg) => `"${pkg.name}": patch`).join('\n');
  await writeFile(join(dir, '.changeset', 'release-test.md'), `---\n${header}\n---\n\nRelease test.\n`);
}

export interface VersionedCopy {
  readonly dir: string;
  readonly packages: readonly PublicPackage[];
  /** The version every package has after `changeset version` (they move in lockstep). */
  readonly version: string;
}

/** Copies the workspace's release inputs to `dir` and runs `changeset version` there. */
export async function versionedCopy(dir: string): Promise<VersionedCopy> {
  const packages = await publicPackages();
  for (const pkg of packages) {
    const missing = missingBuildOutput(join(repoRoot, 'packages', pkg.folder), pkg.manifest);
    if (missing.length > 0) {
      throw new Error(
        `${pkg.name} is not built (${missing.join(', ')} missing). turbo builds every package this test lists in its ` +
          `devDependencies first: add ${pkg.name} to tooling/release-test/package.json.`,
      );
    }
  }
  await mkdir(dir, { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'LICENSE']) await cp(join(repoRoot, file), join(dir, file));
  await cp(join(repoRoot, '.changeset'), join(dir, '.changeset'), { recursive: true });
  const privates = await privateManifests(repoRoot);
  for (const file of privates) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await cp(join(repoRoot, file), join(dir, file));
  }
  for (const pkg of packages) {
    await cp(join(repoRoot, 'packages', pkg.folder), join(dir, 'packages', pkg.folder), {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|\.turbo)([\\/]|$)/.test(source),
    });
  }
  await linkWorkspaceDependencies(dir, packages);
  await ensurePendingChangeset(dir, packages);
  // The changelog generator named in .changeset/config.json is resolved from the copy.
  await mkdir(join(dir, 'node_modules', '@changesets'), { recursive: true });
  await symlink(dependencyDir('@changesets/cli'), join(dir, 'node_modules', '@changesets', 'cli'), 'dir');

  await node('changeset version', dependencyFile('@changesets/cli', 'bin.js'), ['version'], { cwd: dir });

  // Private tooling is never released (`privatePackages` in .changeset/config.json).
  for (const file of privates) {
    const [before, after] = await Promise.all(
      [repoRoot, dir].map(async (root) => (JSON.parse(await readFile(join(root, file), 'utf8')) as PackageManifest).version),
    );
    if (before !== after)
      throw new Error(
        `changeset version bumped the private package ${file} (${before} → ${after}): check privatePackages in .changeset/config.json`,
      );
  }
  const bumped = await publicPackages(dir);
  const versions = new Set(bumped.map((pkg) => pkg.manifest.version));
  if (versions.size !== 1) throw new Error(`changeset version left several versions: ${[...versions].join(', ')}`);
  const [version] = [...versions] as [string];
  const before = packages[0]?.manifest.version;
  if (version === before) throw new Error(`changeset version did not bump the packages (still ${version}): no pending changesets?`);
  for (const pkg of bumped) {
    if (!existsSync(join(dir, 'packages', pkg.folder, 'CHANGELOG.md')))
      throw new Error(`changeset version wrote no CHANGELOG.md for ${pkg.name}`);
  }
  return { dir, packages: bumped, version };
}

/** Writes `.npmrc` lines into a directory (a project or the copy's root). */
export async function writeNpmrc(dir: string, lines: readonly string[]): Promise<void> {
  await writeFile(join(dir, '.npmrc'), `${lines.join('\n')}\n`);
}
