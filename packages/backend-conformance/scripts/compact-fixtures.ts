/**
 * The published build's form of the reference fixtures (docs/decisions/0006). In the repository
 * every fixture keeps the exact text its generator wrote; the published package ships each one as
 * a chunk of its own (`dist/fixtures/<name>-<hash>.js`, loaded by the suite's dynamic `import()`)
 * whose numbers are written more briefly, so that the package packs under 1 MB:
 *
 * - a number that is a float32 value (inputs, weights, PyTorch's float32 results) is written as
 *   the shortest decimal that rounds to the same float32 (`0.10000000149011612` → `0.1`): the
 *   suite turns these into float32 tensors (`Float32Array.from`), which gives back the very bits;
 * - any other number (the float64 references) keeps 10 significant digits: a relative change of
 *   at most 5e-10, a hundred times below float32's resolution, against tolerances of 1e-6 and
 *   more (12 digits until the RNN cases: the package must pack under 1 MB, docs/decisions/0006). Hyper-parameters and integers (`0.001`, `300`) are short already and stay as they are.
 *
 * `compactFixture` is checked against every fixture by test/compact-fixtures.test.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** The shortest decimal text that `Math.fround` maps back to `value` (a float32 value). */
export function shortestFloat32(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(text)) === value) return text;
  }
  return String(Number(value.toPrecision(9)));
}

/** Significant digits kept of a number that is not a float32 value. */
export const REFERENCE_DIGITS = 10;

/** A number as the published fixtures write it (see the module comment). */
export function compactNumber(value: number): number {
  if (!Number.isFinite(value)) return value;
  const short = Math.fround(value) === value ? Number(shortestFloat32(value)) : Number(value.toPrecision(REFERENCE_DIGITS));
  return String(short).length < String(value).length ? short : value;
}

/** A parsed fixture with every number compacted; the structure is unchanged. */
export function compactFixture(value: unknown): unknown {
  if (typeof value === 'number') return compactNumber(value);
  if (Array.isArray(value)) return value.map(compactFixture);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, compactFixture(entry)]));
  }
  return value;
}

/**
 * The esbuild plugin of the published build: each `fixtures/**.json` becomes a module whose
 * default export is `JSON.parse` of the compacted text (one string: smaller than an object
 * literal, and engines parse it faster).
 */
export const compactFixturesPlugin: EsbuildPlugin = {
  name: 'gated-compact-fixtures',
  setup(build) {
    build.onLoad({ filter: /[\\/]fixtures[\\/].+\.json$/ }, async (args) => {
      const text = JSON.stringify(compactFixture(JSON.parse(await readFile(args.path, 'utf8'))));
      return { contents: `export default JSON.parse(${JSON.stringify(text)});\n`, loader: 'js' };
    });
  },
};
