/**
 * The release's second half: `changeset publish` in the versioned copy (it asks the registry with
 * `npm info` which versions are new and runs `pnpm publish` for each, which applies
 * `publishConfig` and turns `workspace:*` into versions), then what the registry now serves:
 * every package at the new version under `latest`, with a manifest that follows
 * docs/decisions/0005, and the sizes of the tarballs users download.
 */
import { gunzipSync } from 'node:zlib';
import { packedManifestProblems, relativeLinks, type PackageManifest } from '@gated/build-config/package-rules';
import { packageDocument, type LocalRegistry } from './registry.js';
import { childEnv, dependencyFile, node } from './util.js';
import { writeNpmrc, type VersionedCopy } from './workspace.js';

/** One published tarball as the registry serves it. */
export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  /** Bytes of the .tgz. */
  readonly tarballBytes: number;
  /** Bytes of the files inside it. */
  readonly unpackedBytes: number;
  readonly files: ReadonlyMap<string, Buffer>;
}

/** The files of a .tgz (`package/` stripped): ustar headers of 512 bytes, contents padded to 512. */
export function untar(tgz: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(tgz);
  const files = new Map<string, Buffer>();
  let longName: string | null = null;
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = null;
    if (type === '0' || type === '') files.set(name.replace(/^package\//, ''), Buffer.from(body));
  }
  return files;
}

/** Publishes every package of the copy to the registry with changesets, and checks what the registry serves. */
export async function publishAll(copy: VersionedCopy, registry: LocalRegistry, emptyUserConfig: string): Promise<PublishedPackage[]> {
  await writeNpmrc(copy.dir, registry.npmrc);
  await node('changeset publish', dependencyFile('@changesets/cli', 'bin.js'), ['publish', '--no-git-tag'], {
    cwd: copy.dir,
    env: childEnv({ npm_config_registry: registry.url, npm_config_userconfig: emptyUserConfig }),
  });

  const published: PublishedPackage[] = [];
  const problems: string[] = [];
  for (const pkg of copy.packages) {
    const document = await packageDocument(registry, pkg.name);
    if (document?.['dist-tags'].latest !== copy.version) {
      problems.push(`${pkg.name}: the registry's latest is ${String(document?.['dist-tags'].latest)}, not ${copy.version}`);
      continue;
    }
    const response = await fetch(document.versions[copy.version]!.dist.tarball);
    if (!response.ok) throw new Error(`${pkg.name}: tarball download failed: HTTP ${response.status}`);
    const tgz = Buffer.from(await response.arrayBuffer());
    const files = untar(tgz);
    const manifest = JSON.parse(files.get('package.json')?.toString('utf8') ?? '{}') as PackageManifest;
    problems.push(...packedManifestProblems(manifest, [...files.keys()]).map((problem) => `${pkg.name}: ${problem}`));
    for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
      if (dependency.startsWith('@gated/') && range !== copy.version)
        problems.push(`${pkg.name}: depends on ${dependency}@${range}, not ${copy.version}`);
    }
    for (const link of relativeLinks(files.get('README.md')?.toString('utf8') ?? '')) problems.push(`${pkg.name}: README link ${link}`);
    const unpackedBytes = [...files.values()].reduce((sum, file) => sum + file.length, 0);
    published.push({ name: pkg.name, version: copy.version, tarballBytes: tgz.length, unpackedBytes, files });
  }
  if (problems.length > 0) throw new Error(`the published packages:\n  ${problems.join('\n  ')}`);
  return published;
}
