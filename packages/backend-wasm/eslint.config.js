import { gated } from '@gated/eslint-config';

// assembly/ is AssemblyScript: its types (i32, v128, usize) and builtins are not TypeScript's,
// so asc checks it (scripts/build-wasm.mjs), not typescript-eslint.
export default [
  ...gated({ layer: 'backend', tsconfigRootDir: import.meta.dirname, ignores: ['assembly/**'] }),
  {
    // The heap reaches 4 GiB: an address past 2^31 has the sign bit of an int32 set, and a signed
    // shift makes it negative (reads of zeros, writes nowhere: issue 16). Host code indexes memory
    // with `address >>> 2`; test/high-addresses.node.test.ts runs every kernel above 2 GiB.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator='>>'], AssignmentExpression[operator='>>=']",
          message: 'wasm addresses go up to 4 GiB: shift them with >>> (unsigned), never >> (docs/decisions/0008)',
        },
      ],
    },
  },
];
