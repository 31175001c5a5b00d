import { gated } from '@gated/eslint-config';

export default gated({ layer: 'library', tsconfigRootDir: import.meta.dirname });
