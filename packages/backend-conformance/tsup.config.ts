import { gatedTsup } from '@gated/build-config/tsup';
import { compactFixturesPlugin } from './scripts/compact-fixtures.js';

export default gatedTsup({
  esbuildPlugins: [compactFixturesPlugin],
  // Every fixture is a dynamic import(): esbuild splits each into a chunk of its own.
  esbuildOptions(options) {
    options.chunkNames = 'fixtures/[name]-[hash]';
  },
  // No source maps: the fixture chunks are data (a map only repeats them) and the entry is
  // unminified code whose stack traces read as they are; its map would be a fifth of the
  // tarball (docs/decisions/0006).
  sourcemap: false,
});
