import { gatedVitest } from '@gated/vitest-config';

export default gatedVitest();
