import { gatedVitest } from '@gated/vitest-config';

// The e2e tests wait on real events (a loss value, a sample in the DOM) that bounded work in the
// page produces; like every test here they have no wall-clock limit (docs/decisions/0021).
const config = await gatedVitest({ include: ['test/**/*.test.ts'] });
// The e2e files each drive a Chromium; one at a time keeps a 2-core machine responsive.
export default { ...config, test: { ...config.test, fileParallelism: false } };
