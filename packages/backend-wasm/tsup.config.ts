import { defineConfig } from 'tsup';

// The .wasm binaries are built into build/ by scripts/build-wasm.mjs; dist/index.js reaches them
// through the same `new URL('../build/…', import.meta.url)` that src/ uses.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
