/**
 * Sizes users pay for, kept honest by the release test:
 *
 * - the root README's table of published sizes (tarball and unpacked, per package), between
 *   `<!-- package-sizes:begin -->` and `<!-- package-sizes:end -->`: a package missing from it, or
 *   a size more than 10% away from the tarball just published, fails the test;
 * - `bundle-sizes.json`: the first-load gzipped size of the README example per backend; a change
 *   that grows one by more than 10% fails the test.
 *
 * `pnpm --filter @gated/release-test release-test --update-sizes` rewrites both from the run.
 */

export const BEGIN = '<!-- package-sizes:begin -->';
export const END = '<!-- package-sizes:end -->';

/** Sizes differ this much (relative) before a check fails. */
export const TOLERANCE = 0.1;

/** What `@gated/backend-conformance` must pack under (issue #11's acceptance). */
export const CONFORMANCE_TARBALL_LIMIT_BYTES = 1_000_000;

export interface PackageSize {
  readonly name: string;
  readonly tarballBytes: number;
  readonly unpackedBytes: number;
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/** The Markdown table (without the markers). */
export function renderSizeTable(sizes: readonly PackageSize[]): string {
  const rows = [...sizes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((size) => `| \`${size.name}\` | ${kB(size.tarballBytes)} | ${kB(size.unpackedBytes)} |`);
  return ['| package | tarball | unpacked |', '| --- | ---: | ---: |', ...rows].join('\n');
}

/** The README with its size table replaced. */
export function withSizeTable(readme: string, sizes: readonly PackageSize[]): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`the README has no ${BEGIN} … ${END} block`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${renderSizeTable(sizes)}\n${readme.slice(end)}`;
}

/** Sizes the README states, by package. */
export function documentedSizes(readme: string): Map<string, { tarballBytes: number; unpackedBytes: number }> {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`the README has no ${BEGIN} … ${END} block`);
  const found = new Map<string, { tarballBytes: number; unpackedBytes: number }>();
  for (const match of readme.slice(begin, end).matchAll(/^\|\s*`([^`]+)`\s*\|\s*([\d.]+) kB\s*\|\s*([\d.]+) kB\s*\|/gm)) {
    found.set(match[1]!, { tarballBytes: Number(match[2]) * 1000, unpackedBytes: Number(match[3]) * 1000 });
  }
  return found;
}

const off = (documented: number, actual: number): boolean => Math.abs(actual - documented) > TOLERANCE * documented;

/** Why the README's table no longer describes what was published (empty when it does). */
export function sizeTableProblems(readme: string, sizes: readonly PackageSize[]): string[] {
  const documented = documentedSizes(readme);
  const problems: string[] = [];
  for (const size of sizes) {
    const row = documented.get(size.name);
    if (!row) problems.push(`${size.name} is missing from the README's size table`);
    else if (off(row.tarballBytes, size.tarballBytes) || off(row.unpackedBytes, size.unpackedBytes)) {
      problems.push(
        `${size.name}: the README says ${kB(row.tarballBytes)} / ${kB(row.unpackedBytes)}, published ${kB(size.tarballBytes)} / ${kB(size.unpackedBytes)}`,
      );
    }
    documented.delete(size.name);
  }
  for (const name of documented.keys()) problems.push(`the README's size table lists ${name}, which is not published`);
  const conformance = sizes.find((size) => size.name === '@gated/backend-conformance');
  if (conformance && conformance.tarballBytes >= CONFORMANCE_TARBALL_LIMIT_BYTES) {
    problems.push(
      `@gated/backend-conformance packs to ${kB(conformance.tarballBytes)}: it must stay under ${kB(CONFORMANCE_TARBALL_LIMIT_BYTES)} (docs/decisions/0006)`,
    );
  }
  return problems;
}

/** Why first-load sizes grew past the committed baseline (empty when none did). */
export function bundleSizeProblems(baseline: Readonly<Record<string, number>>, current: Readonly<Record<string, number>>): string[] {
  const problems: string[] = [];
  for (const [key, bytes] of Object.entries(current)) {
    const before = baseline[key];
    if (before === undefined) problems.push(`${key}: no baseline in bundle-sizes.json`);
    else if (bytes > before * (1 + TOLERANCE)) {
      problems.push(`${key}: ${bytes} bytes gzipped, ${(((bytes - before) / before) * 100).toFixed(1)}% more than the baseline ${before}`);
    }
  }
  return problems;
}

/** A table of sizes against their baseline, for the log. */
export function describeBundleSizes(baseline: Readonly<Record<string, number>>, current: Readonly<Record<string, number>>): string {
  return Object.entries(current)
    .map(([key, bytes]) => {
      const before = baseline[key];
      const change = before === undefined ? 'no baseline' : `${(((bytes - before) / before) * 100).toFixed(1)}% vs ${before}`;
      return `    ${key}: ${bytes} bytes gzipped (${change})`;
    })
    .join('\n');
}
