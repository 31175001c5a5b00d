import { gated } from '@gated/eslint-config';

export default gated({ layer: 'tensor', tsconfigRootDir: import.meta.dirname });
