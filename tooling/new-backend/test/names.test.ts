import { manifestProblems, type PackageManifest } from '@gated/build-config/package-rules';
import { describe, expect, it } from 'vitest';
import { backendNames, nameProblem } from '../src/names.js';
import { manifest, packageFiles } from '../src/templates.js';

describe('backend names', () => {
  it('become a package, a folder and identifiers', () => {
    expect(backendNames('cpu-simd')).toEqual({
      name: 'cpu-simd',
      packageName: '@gated/backend-cpu-simd',
      folder: 'packages/backend-cpu-simd',
      pascal: 'CpuSimd',
      factory: 'createCpuSimdBackend',
      backendClass: 'CpuSimdBackend',
      bufferClass: 'CpuSimdBuffer',
    });
    expect(backendNames('f64').factory).toBe('createF64Backend');
  });

  it('refuses what cannot name a package or a class, and the names of non-backends', () => {
    for (const bad of ['F64', '64f', 'web_gl', 'web--gl', '-x', 'x-', '', 'a'.repeat(33)]) expect(nameProblem(bad), bad).not.toBeNull();
    expect(nameProblem('api')).toBe('"api" is taken: @gated/backend-api is not a backend');
    expect(nameProblem('conformance')).not.toBeNull();
    expect(nameProblem('webgl2')).toBeNull();
  });
});

describe('templates', () => {
  const inputs = {
    names: backendNames('probe'),
    version: '1.2.3',
    devDependencies: Object.fromEntries(
      [
        '@gated/backend-conformance',
        '@gated/build-config',
        '@gated/eslint-config',
        '@gated/tensor',
        '@gated/tsconfig',
        '@gated/vitest-config',
        '@types/node',
        'eslint',
        'tsup',
        'typescript',
        'vitest',
      ].map((name) => [name, name.startsWith('@gated/') ? 'workspace:*' : '1.0.0']),
    ),
    license: 'MIT License\n',
  };

  it('give a manifest that follows the package rules, at the shared version', () => {
    const pkg = manifest(inputs) as unknown as PackageManifest;
    expect(manifestProblems(pkg)).toEqual([]);
    expect(pkg.version).toBe('1.2.3');
    expect(pkg.dependencies).toEqual({ '@gated/backend-api': 'workspace:*' });
  });

  it('refuse to guess a tool version backend-ts does not pin', () => {
    const { tsup: _tsup, ...withoutTsup } = inputs.devDependencies;
    expect(() => manifest({ ...inputs, devDependencies: withoutTsup })).toThrow(
      'packages/backend-ts/package.json has no devDependency tsup',
    );
  });

  it('write the package, its test and its changeset, and nothing that points into the repository', () => {
    const files = packageFiles(inputs);
    expect(files.map((f) => f.path)).toContain('packages/backend-probe/test/conformance.test.ts');
    expect(files.map((f) => f.path)).toContain('.changeset/backend-probe.md');
    const readme = files.find((f) => f.path.endsWith('README.md'))!.text;
    expect(readme).not.toMatch(/\]\((?!https:)/);
  });
});
