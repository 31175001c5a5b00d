import { gated } from '@gated/eslint-config';

// scratch/ holds local experiments (git-ignored).
export default gated({ layer: 'backend', tsconfigRootDir: import.meta.dirname, ignores: ['scratch/**'] });
