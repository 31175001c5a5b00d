import { gatedVitest } from '@gated/vitest-config';

export default gatedVitest({
  browser: true,
  // Checks of the Node entry (file system, process environment): not browser tests.
  nodeOnly: ['test/**/*.node.test.ts'],
});
