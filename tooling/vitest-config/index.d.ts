import type { ViteUserConfig } from 'vitest/config';

export declare const chromiumPath: string;
export declare const chromiumArgs: string[];
export interface GatedVitestOptions {
  /** Also run the same test files in headless Chromium (Debian's /usr/bin/chromium). */
  browser?: boolean;
  include?: string[];
  /** Test files that drive Node programs and are left out of the browser project. */
  nodeOnly?: string[];
  /** Serve the browser test page with COOP/COEP headers (SharedArrayBuffer, worker threads). */
  crossOriginIsolated?: boolean;
}
/**
 * The shared config: Node (and optionally Chromium) projects, sources through the `source`
 * condition, and no wall-clock limit on tests or hooks unless GATED_TEST_TIMEOUT_MS sets one.
 */
export declare function gatedVitest(options?: GatedVitestOptions): Promise<ViteUserConfig>;
