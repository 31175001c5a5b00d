import { gatedVitest } from '@gated/vitest-config';

export default gatedVitest({
  browser: true,
  // `vite build` of a bundle that imports the package: a Node program, not a browser test.
  nodeOnly: ['test/**/*.node.test.ts'],
  // Two-thread backends get SharedArrayBuffer and real Web Workers in Chromium.
  crossOriginIsolated: true,
});
