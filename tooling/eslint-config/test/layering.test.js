// The layering rule as ESLint applies it: which @gated imports each layer refuses. A backend is
// any `@gated/backend-<name>`, so one that does not exist yet is covered too.
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { layerPatterns } from '../index.js';

/** The messages ESLint gives `import '<specifier>'` in shipped code of a layer. */
function refusals(layer, specifier) {
  const config = [{ rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns(layer) }] } }];
  return new Linter().verify(`import '${specifier}';\n`, config, 'src/index.js').map((m) => m.message);
}

describe('the layering rule', () => {
  it('refuses every backend above tensor, including one made after this rule was written', () => {
    for (const layer of ['library', 'tensor']) {
      for (const backend of [
        '@gated/backend-ts',
        '@gated/backend-wasm',
        '@gated/backend-f64',
        '@gated/backend-cpu-simd',
        '@gated/backend-f64/internal',
      ]) {
        expect(refusals(layer, backend), `${layer} importing ${backend}`).toHaveLength(1);
      }
    }
    expect(refusals('library', '@gated/backend-f64')[0]).toContain('Libraries above tensor reach compute only through @gated/tensor');
  });

  it('lets libraries import the contract, and keeps the conformance suite out of shipped code', () => {
    expect(refusals('library', '@gated/backend-api')).toEqual([]);
    expect(refusals('library', '@gated/tensor')).toEqual([]);
    expect(refusals('library', '@gated/backend-conformance')).toHaveLength(1);
    expect(refusals('tensor', '@gated/backend-conformance')).toHaveLength(1);
    expect(refusals('tensor', '@gated/lstm')).toHaveLength(1);
  });

  it('lets a backend import only the contract', () => {
    expect(refusals('backend', '@gated/backend-api')).toEqual([]);
    for (const other of ['@gated/tensor', '@gated/backend-ts', '@gated/backend-f64'])
      expect(refusals('backend', other), other).toHaveLength(1);
  });

  it('keeps the contract free of @gated imports, and lets the suite and apps import anything', () => {
    expect(refusals('backend-api', '@gated/tensor')).toHaveLength(1);
    expect(refusals('any', '@gated/backend-f64')).toEqual([]);
  });

  it('refuses an unknown layer', () => {
    expect(() => layerPatterns('middleware')).toThrow('unknown layer "middleware"');
  });
});
