// Shared flat config. Each package's eslint.config.js is one call:
//   export default gated({ layer: 'backend', tsconfigRootDir: import.meta.dirname });
// The `layer` enforces the dependency direction of docs/architecture.md as a lint rule:
//   backend      → may import only @gated/backend-api (never tensor, never another backend)
//   backend-api  → no @gated imports at all
//   tensor       → @gated/backend-api only (never a backend)
//   library      → autograd, lstm, optim: tensor, autograd, backend-api; never a backend
//   onnx         → @gated/onnx: lstm, tensor, autograd, backend-api; never a backend or optim
//   any          → conformance suite and apps: anything
// Backends are recognised by their name, `@gated/backend-<name>` (what `pnpm new-backend` makes),
// so a new backend is covered without editing a list: backend-api (the contract) and
// backend-conformance (the suite) are the two packages of that prefix that are not backends.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Every backend package, present or future, as no-restricted-imports patterns (gitignore syntax, last match wins). */
const backendPackages = ['@gated/backend-*', '!@gated/backend-api', '!@gated/backend-conformance'];

/** @type {Record<string, { group: string[]; message: string }[]>} */
const layerRules = {
  'backend-api': [{ group: ['@gated/*'], message: '@gated/backend-api has no @gated dependencies: it is the contract.' }],
  backend: [
    {
      group: ['@gated/*', '!@gated/backend-api'],
      message: 'A backend imports only @gated/backend-api (docs/architecture.md, "Dependency direction").',
    },
  ],
  tensor: [
    {
      group: [...backendPackages, '@gated/autograd', '@gated/lstm', '@gated/optim', '@gated/backend-conformance'],
      message: '@gated/tensor never imports a backend or a higher layer (docs/architecture.md, "Dependency direction").',
    },
  ],
  library: [
    {
      group: [...backendPackages, '@gated/backend-conformance'],
      message: 'Libraries above tensor reach compute only through @gated/tensor, never a backend directly.',
    },
  ],
  onnx: [
    {
      group: ['@gated/*', '!@gated/lstm', '!@gated/tensor', '!@gated/autograd', '!@gated/backend-api'],
      message:
        '@gated/onnx builds on the layers: it imports @gated/lstm, tensor, autograd and backend-api only (never a backend, never optim).',
    },
  ],
  any: [],
};

/**
 * The `no-restricted-imports` patterns of a layer.
 * @param {string} layer
 */
export function layerPatterns(layer) {
  const patterns = layerRules[layer];
  if (!patterns) throw new Error(`@gated/eslint-config: unknown layer "${layer}"`);
  return patterns;
}

/**
 * @param {{ layer: keyof typeof layerRules; tsconfigRootDir: string; ignores?: string[]; allowConsole?: boolean }} options
 */
export function gated({ layer, tsconfigRootDir, ignores = [], allowConsole = false }) {
  const patterns = layerPatterns(layer);
  return tseslint.config(
    { ignores: ['dist/**', 'build/**', 'coverage/**', 'node_modules/**', ...ignores] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: {
        globals: { ...globals.node, ...globals.browser },
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
        '@typescript-eslint/prefer-for-of': 'off',
        // Libraries never print; example programs and CLIs (allowConsole) do.
        'no-console': allowConsole ? 'off' : 'error',
      },
    },
    {
      // The layering rule binds shipped code (src/); tests (test/) and configs may wire packages together.
      files: ['src/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    },
    {
      files: ['**/*.test.ts', 'test/**', 'examples/**', '*.config.ts', 'scripts/**'],
      rules: { 'no-console': 'off', '@typescript-eslint/no-floating-promises': 'off' },
    },
    { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  );
}
