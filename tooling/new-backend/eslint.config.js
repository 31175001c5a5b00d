import { gated } from '@gated/eslint-config';

// A command-line tool: it reports on the console.
export default gated({ layer: 'any', tsconfigRootDir: import.meta.dirname, allowConsole: true });
