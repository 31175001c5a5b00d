import { gated } from '@gated/eslint-config';

export default gated({ layer: 'any', tsconfigRootDir: import.meta.dirname, ignores: ['test-results/**'] });
