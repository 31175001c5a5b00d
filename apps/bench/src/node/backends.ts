/**
 * Node's loaders of Gated's backend packages: a dynamic import each, so a package that does not
 * exist yet (or fails to load) is reported by discovery instead of breaking the build.
 */
import { BACKEND_PACKAGES, type PackageLoader } from '../core/discover.js';

export function nodeLoaders(): Record<string, PackageLoader> {
  const loaders: Record<string, PackageLoader> = {};
  for (const pkg of BACKEND_PACKAGES) {
    // A variable specifier: TypeScript and bundlers leave it to run time.
    const specifier: string = pkg;
    loaders[pkg] = () => import(specifier) as Promise<Record<string, unknown>>;
  }
  return loaders;
}
