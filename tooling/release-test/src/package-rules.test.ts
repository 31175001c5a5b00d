// The packaging rules of tooling/build-config (docs/decisions/0005), which check:package and this
// release test apply to every published package.
import {
  NODE_ENGINES,
  entriesFromExports,
  manifestProblems,
  packedManifestProblems,
  relativeLinks,
  withoutSourceCondition,
  type PackageManifest,
} from '@gated/build-config/package-rules';
import { describe, expect, it } from 'vitest';

const exportsMap = {
  '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
  './internal': { source: './src/internal.ts', types: './dist/internal.d.ts', default: './dist/internal.js' },
  './package.json': './package.json',
};
const published = withoutSourceCondition(exportsMap);
const good: PackageManifest = {
  name: '@gated/x',
  exports: exportsMap,
  publishConfig: { access: 'public', exports: published },
  engines: { node: NODE_ENGINES },
  sideEffects: false,
  files: ['dist'],
};

describe('package rules', () => {
  it('build one entry per exported source, named after its dist file', () => {
    expect(entriesFromExports(good)).toEqual({ index: 'src/index.ts', internal: 'src/internal.ts' });
    expect(() =>
      entriesFromExports({ name: 'y', exports: { '.': { source: './src/a.ts', types: './dist/b.d.ts', default: './dist/a.js' } } }),
    ).toThrow('exports["."].types must be ./dist/a.d.ts');
  });

  it('build an entry per environment where conditions nest (a browser and a Node entry)', () => {
    const split = {
      '.': {
        node: { source: './src/node.ts', types: './dist/node.d.ts', default: './dist/node.js' },
        source: './src/index.ts',
        types: './dist/index.d.ts',
        default: './dist/index.js',
      },
      './package.json': './package.json',
    };
    expect(entriesFromExports({ name: 'z', exports: split })).toEqual({ index: 'src/index.ts', node: 'src/node.ts' });
    expect(withoutSourceCondition(split)['.']).toEqual({
      node: { types: './dist/node.d.ts', default: './dist/node.js' },
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
    const wrong = { '.': { ...split['.'], node: { ...split['.'].node, types: './dist/x.d.ts' } } };
    expect(() => entriesFromExports({ name: 'z', exports: wrong })).toThrow('exports["."].node.types must be ./dist/node.d.ts');
  });

  it('accept a manifest that follows them', () => {
    expect(published).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './internal': { types: './dist/internal.d.ts', default: './dist/internal.js' },
      './package.json': './package.json',
    });
    expect(manifestProblems(good)).toEqual([]);
  });

  it('name each departure: a subpath missing from publishConfig, engines, sideEffects, shipped sources', () => {
    const problems = manifestProblems({
      ...good,
      publishConfig: { access: 'public', exports: { '.': published['.'] } },
      engines: {},
      sideEffects: true,
      files: ['dist', 'src'],
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('"./internal": {');
  });

  it('check the packed manifest: no source condition, no workspace ranges, side-effect files shipped', () => {
    const packed: PackageManifest = {
      ...good,
      exports: published,
      sideEffects: ['./src/index.ts', './dist/index.js'],
      dependencies: { '@gated/y': '0.2.0' },
    };
    expect(packedManifestProblems(packed, ['dist/index.js', 'package.json'])).toEqual([]);
    expect(
      packedManifestProblems({ ...packed, exports: exportsMap, dependencies: { '@gated/y': 'workspace:*' } }, [
        'dist/index.js',
        'src/index.ts',
      ]),
    ).toEqual([
      'the packed exports still contain the "source" condition',
      'dependencies.@gated/y is still workspace:*',
      'the tarball ships src/',
    ]);
    expect(packedManifestProblems(packed, ['package.json'])).toEqual([
      'sideEffects names ./dist/index.js, which the package does not ship',
    ]);
  });

  it('find links that work only inside the repository', () => {
    const markdown =
      'See [docs](../../docs/lstm.md), [npm](https://www.npmjs.com/package/@gated/tensor), [here](#use), ![x](./a.png "t").\n\n[ref]: ../tensor\n';
    expect(relativeLinks(markdown)).toEqual(['../../docs/lstm.md', './a.png', '../tensor']);
  });
});
