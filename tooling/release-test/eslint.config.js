import { gated } from '@gated/eslint-config';

// A test program: it reports progress on the console.
export default gated({ layer: 'any', tsconfigRootDir: import.meta.dirname, allowConsole: true });
