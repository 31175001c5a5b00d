// What a published @gated package looks like, as data and pure functions, so that the build
// (tsup.js), the per-package check (check-package.js) and the release test agree on one
// definition. docs/decisions/0005 explains the choices.
//
// The scheme, for a package with subpaths `.` and `./internal`:
//
//   "exports": {
//     ".":          { "source": "./src/index.ts",    "types": "./dist/index.d.ts",    "default": "./dist/index.js" },
//     "./internal": { "source": "./src/internal.ts", "types": "./dist/internal.d.ts", "default": "./dist/internal.js" },
//     "./package.json": "./package.json"
//   },
//   "publishConfig": {
//     "access": "public",
//     "exports": {                       <- the same map without the workspace-only `source` condition
//       ".":          { "types": "./dist/index.d.ts",    "default": "./dist/index.js" },
//       "./internal": { "types": "./dist/internal.d.ts", "default": "./dist/internal.js" },
//       "./package.json": "./package.json"
//     }
//   }
//
// `pnpm pack` / `pnpm publish` replace `exports` with `publishConfig.exports`, so the `source`
// condition (tests and apps read sibling sources through it) never reaches npm. Every entry with a
// `source` is a tsup entry point: adding a subpath is adding it to both maps, and
// `pnpm check:package` prints the expected `publishConfig.exports` when they disagree.

/** The Node versions every package supports and is tested on: `require()` of ESM works unflagged from 20.19 and 22.12. */
export const NODE_ENGINES = '^20.19.0 || >=22.12.0';

/** The workspace-only export condition that points at TypeScript sources. */
export const SOURCE_CONDITION = 'source';

/** `exports` without the `source` condition anywhere in it (what npm users get). */
export function withoutSourceCondition(exports) {
  if (typeof exports !== 'object' || exports === null) return exports;
  if (Array.isArray(exports)) return exports.map(withoutSourceCondition);
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== SOURCE_CONDITION)
      .map(([key, value]) => [key, withoutSourceCondition(value)]),
  );
}

/** True when the `source` condition appears anywhere in an `exports` value. */
export function hasSourceCondition(exports) {
  if (typeof exports !== 'object' || exports === null) return false;
  return Object.entries(exports).some(([key, value]) => key === SOURCE_CONDITION || hasSourceCondition(value));
}

/** Every conditions object inside an `exports` target with a `source` condition (nested ones too), with its path for messages. */
function sourceTargets(target, path) {
  if (typeof target !== 'object' || target === null) return [];
  const nested = Object.entries(target).flatMap(([key, value]) => sourceTargets(value, `${path}.${key}`));
  return SOURCE_CONDITION in target ? [[path, target], ...nested] : nested;
}

/**
 * The tsup entry points of a package: one per conditions object in `exports` with a `source`
 * condition, named after its `default` file (`./dist/internal.js` → `internal`). Conditions may
 * nest, so one subpath can have an entry per environment:
 *
 *   ".": { "node": { "source": "./src/node.ts", "types": "./dist/node.d.ts", "default": "./dist/node.js" },
 *          "source": "./src/index.ts", "types": "./dist/index.d.ts", "default": "./dist/index.js" }
 *
 * builds `node` and `index`. Throws when an entry's files do not follow the `./dist/<name>.js` +
 * `./dist/<name>.d.ts` pattern the build produces.
 */
export function entriesFromExports(pkg) {
  const entries = {};
  for (const [subpath, exported] of Object.entries(pkg.exports ?? {})) {
    for (const [path, target] of sourceTargets(exported, `exports["${subpath}"]`)) {
      const match = /^\.\/dist\/([\w./-]+)\.js$/.exec(String(target.default));
      if (!match) throw new Error(`${pkg.name}: ${path}.default must be ./dist/<name>.js, got ${target.default}`);
      const name = match[1];
      if (target.types !== `./dist/${name}.d.ts`) {
        throw new Error(`${pkg.name}: ${path}.types must be ./dist/${name}.d.ts, got ${target.types}`);
      }
      entries[name] = String(target[SOURCE_CONDITION]).replace(/^\.\//, '');
    }
  }
  if (Object.keys(entries).length === 0) throw new Error(`${pkg.name}: no exports entry has a "${SOURCE_CONDITION}" condition to build`);
  return entries;
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What is wrong with a publishable package's package.json in the workspace (empty when nothing). */
export function manifestProblems(pkg) {
  const problems = [];
  const expected = withoutSourceCondition(pkg.exports);
  if (!sameJson(pkg.publishConfig?.exports, expected)) {
    problems.push(
      `publishConfig.exports must be exports without the "${SOURCE_CONDITION}" condition, i.e.\n` +
        `"publishConfig": { ..., "exports": ${JSON.stringify(expected, null, 2)} }`,
    );
  }
  if (pkg.publishConfig?.access !== 'public') problems.push('publishConfig.access must be "public"');
  if (pkg.engines?.node !== NODE_ENGINES) problems.push(`engines.node must be "${NODE_ENGINES}", got ${JSON.stringify(pkg.engines?.node)}`);
  if (pkg.sideEffects !== false && !Array.isArray(pkg.sideEffects)) {
    problems.push('sideEffects must be false or the list of files whose top-level code must run when imported');
  }
  if ((pkg.files ?? []).some((entry) => /^!?src(\/|$)/.test(entry))) {
    problems.push('files must not ship src/: the source maps carry the sources, and the source condition stays in the workspace');
  }
  return problems;
}

/** What is wrong with the package.json that `pnpm pack` wrote into the tarball; `files` lists the tarball's paths. */
export function packedManifestProblems(pkg, files) {
  const problems = [];
  if (hasSourceCondition(pkg.exports)) problems.push(`the packed exports still contain the "${SOURCE_CONDITION}" condition`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is still ${range}`);
    }
  }
  if (pkg.engines?.node !== NODE_ENGINES) problems.push(`the packed engines.node is ${JSON.stringify(pkg.engines?.node)}`);
  for (const file of Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []) {
    // `./src/…` entries are the twins of shipped files for workspace consumers (the source condition).
    if (file.startsWith('./src/')) continue;
    if (!files.includes(file.replace(/^\.\//, ''))) problems.push(`sideEffects names ${file}, which the package does not ship`);
  }
  if (files.some((file) => file.startsWith('src/'))) problems.push('the tarball ships src/');
  return problems;
}

/**
 * Links in a Markdown text that only work inside the repository (`../../docs/lstm.md`,
 * `../tensor`): the registry's page has no repository around the README.
 */
export function relativeLinks(markdown) {
  const targets = [
    ...[...markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...markdown.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
  ];
  return targets.filter((target) => !/^(https?:|mailto:|#)/.test(target));
}
