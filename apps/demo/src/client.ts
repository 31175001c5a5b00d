/** The worker and its comlink proxy: the page's only way to compute. */
import { wrap, type Remote } from 'comlink';
import { report } from './store.js';
import type { DemoApi } from './worker/api.js';

const worker = new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module', name: 'gated-demo' });
worker.addEventListener('error', (event) => {
  report(`the worker failed: ${event.message || 'could not load (see the network panel)'}`);
});

export const api: Remote<DemoApi> = wrap<DemoApi>(worker);
