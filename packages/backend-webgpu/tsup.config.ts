import { defineConfig } from 'tsup';

// Two entries: index (browsers and bundlers: navigator.gpu only) and node (Node: falls back to
// Dawn from the optional `webgpu` package). The package's `node` export condition picks the second,
// so a browser bundle never contains node:fs or the Dawn import.
export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: ['webgpu'],
});
