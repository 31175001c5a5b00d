import type { UserConfig } from 'vitest/config';

export declare const chromiumPath: string;
export declare const chromiumArgs: string[];
export interface GatedVitestOptions {
  /** Also run the same test files in headless Chromium (Debian's /usr/bin/chromium). */
  browser?: boolean;
  include?: string[];
  testTimeoutMs?: number;
}
export declare function gatedVitest(options?: GatedVitestOptions): Promise<UserConfig>;
