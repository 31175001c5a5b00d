import type { Options } from 'tsup';

/** tsup's config for a published Gated package: ESM, types, source maps, one entry per `source` export. */
export declare function gatedTsup(overrides?: Options): Options;
