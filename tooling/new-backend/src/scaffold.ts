/**
 * Writes a new backend package into a Gated workspace and registers it where the workspace needs
 * it by hand: the release test's devDependencies (so turbo builds it before the release test
 * publishes it). The workspace (`packages/*`), the lint rules (derived from package names) and
 * the Vitest and turbo configs need no edit; the lockfile is `pnpm install`'s (main.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { manifestProblems, type PackageManifest } from '@gated/build-config/package-rules';
import { backendNames, type BackendNames } from './names.js';
import { manifest, packageFiles, type TemplateInputs } from './templates.js';

/** The release test publishes every public package, built: it lists each as a devDependency. */
export const RELEASE_TEST_MANIFEST = 'tooling/release-test/package.json';

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** What the templates take from the workspace at `root`. */
export async function templateInputs(root: string, names: BackendNames): Promise<TemplateInputs> {
  const api = await readJson<PackageManifest>(join(root, 'packages/backend-api/package.json'));
  const ts = await readJson<PackageManifest>(join(root, 'packages/backend-ts/package.json'));
  if (api.version === undefined) throw new Error('packages/backend-api/package.json has no version');
  return {
    names,
    version: api.version,
    devDependencies: ts.devDependencies ?? {},
    license: await readFile(join(root, 'LICENSE'), 'utf8'),
  };
}

/** `dependencies` with `name` added, keys sorted (as pnpm writes them). */
function withDependency(dependencies: Readonly<Record<string, string>>, name: string, range: string): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...dependencies, [name]: range }).sort(([a], [b]) => a.localeCompare(b)));
}

export interface Scaffolded {
  readonly names: BackendNames;
  /** Every file written or changed, relative to the root. */
  readonly written: readonly string[];
}

/**
 * Creates `packages/backend-<name>` in the workspace at `root`, its changeset, and its entry in
 * the release test. Refuses a bad name or an existing folder before writing anything.
 */
export async function scaffold(root: string, name: string): Promise<Scaffolded> {
  const names = backendNames(name);
  if (existsSync(join(root, names.folder))) throw new Error(`${names.folder} exists already`);
  const inputs = await templateInputs(root, names);
  const problems = manifestProblems(manifest(inputs) as unknown as PackageManifest);
  if (problems.length > 0) throw new Error(`the generated package.json breaks the package rules:\n  ${problems.join('\n  ')}`);

  const files = packageFiles(inputs);
  for (const file of files) {
    if (existsSync(join(root, file.path))) throw new Error(`${file.path} exists already`);
  }
  for (const file of files) {
    await mkdir(dirname(join(root, file.path)), { recursive: true });
    await writeFile(join(root, file.path), file.text);
  }

  const releaseTest = join(root, RELEASE_TEST_MANIFEST);
  const release = await readJson<PackageManifest>(releaseTest);
  release.devDependencies = withDependency(release.devDependencies ?? {}, names.packageName, 'workspace:*');
  await writeFile(releaseTest, `${JSON.stringify(release, null, 2)}\n`);
  return { names, written: [...files.map((file) => file.path), RELEASE_TEST_MANIFEST] };
}
