import { gated } from '@gated/eslint-config';

export default gated({ layer: 'backend-api', tsconfigRootDir: import.meta.dirname });
