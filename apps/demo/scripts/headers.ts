/**
 * The headers that make a page cross-origin isolated (SharedArrayBuffer, so backend-wasm can run
 * its worker threads): the same for `pnpm start`, the dev server and the e2e tests.
 */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
