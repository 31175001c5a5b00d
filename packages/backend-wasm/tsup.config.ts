import { gatedTsup } from '@gated/build-config/tsup';

// scripts/build-wasm.mjs builds the .wasm binaries into build/ first; dist/index.js reaches them
// through the same `new URL('../build/…', import.meta.url)` that src/ uses.
export default gatedTsup();
