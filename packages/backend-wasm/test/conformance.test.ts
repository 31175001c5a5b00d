import { describeBackend } from '@gated/backend-conformance';
import { createWasmBackend } from '../src/index.js';

describeBackend('wasm', () => createWasmBackend({ numThreads: 1 }));
// Two threads where shared memory is available, every product split between them however small;
// a page that is not cross-origin isolated runs this backend on one thread (caps.threads says so,
// test/threads.test.ts checks it).
describeBackend('wasm-2t', () => createWasmBackend({ numThreads: 2, minParallelWork: 0 }));
