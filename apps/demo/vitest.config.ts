import { gatedVitest } from '@gated/vitest-config';

// The e2e tests wait on real events (a loss value, a sample in the DOM), each bounded in the
// harness; a whole test (training on every backend) gets ten minutes on a loaded machine.
const config = await gatedVitest({ include: ['test/**/*.test.ts'], testTimeoutMs: 600_000 });
// The e2e files each drive a Chromium; one at a time keeps a 2-core machine responsive.
export default { ...config, test: { ...config.test, fileParallelism: false } };
