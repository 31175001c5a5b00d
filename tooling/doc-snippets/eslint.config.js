import { gated } from '@gated/eslint-config';

// A test tool: it reports on the console. The extracted programs (.snippets/) are checked by tsc.
export default gated({ layer: 'any', tsconfigRootDir: import.meta.dirname, allowConsole: true, ignores: ['.snippets/**'] });
