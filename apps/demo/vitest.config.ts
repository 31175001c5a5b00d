import { gatedVitest } from '@gated/vitest-config';

const config = await gatedVitest({ include: ['test/**/*.test.ts'] });
// The e2e files each drive a Chromium; one at a time keeps a 2-core machine responsive.
export default { ...config, test: { ...config.test, fileParallelism: false } };
