import { gated } from '@gated/eslint-config';

export default gated({ layer: 'backend', tsconfigRootDir: import.meta.dirname });
