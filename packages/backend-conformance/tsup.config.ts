import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gatedTsup } from '@gated/build-config/tsup';
import { compactFixturesPlugin } from './scripts/compact-fixtures.js';

/** Source maps of data are noise: drop them for the fixture chunks (docs/decisions/0006). */
async function dropFixtureMaps(): Promise<void> {
  const dir = join('dist', 'fixtures');
  for (const file of await readdir(dir)) {
    const path = join(dir, file);
    if (file.endsWith('.map')) await rm(path);
    else if (file.endsWith('.js')) await writeFile(path, (await readFile(path, 'utf8')).replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n'));
  }
}

export default gatedTsup({
  esbuildPlugins: [compactFixturesPlugin],
  // Every fixture is a dynamic import(): esbuild splits each into a chunk of its own.
  esbuildOptions(options) {
    options.chunkNames = 'fixtures/[name]-[hash]';
  },
  onSuccess: dropFixtureMaps,
});
