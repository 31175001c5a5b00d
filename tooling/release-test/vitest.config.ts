import { gatedVitest } from '@gated/vitest-config';

// The unit tests of the release test's own helpers (docs parsing, output comparison, sizes, tar).
export default gatedVitest({ include: ['src/**/*.test.ts'] });
