import { gated } from '@gated/eslint-config';

// assembly/ is AssemblyScript: its types (i32, v128, usize) and builtins are not TypeScript's,
// so asc checks it (scripts/build-wasm.mjs), not typescript-eslint.
export default gated({ layer: 'backend', tsconfigRootDir: import.meta.dirname, ignores: ['assembly/**'] });
