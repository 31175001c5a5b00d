/**
 * Worker threads for the wasm backend: `worker_threads` in Node, Web Workers in browsers (which
 * need a cross-origin-isolated page for shared memory). Each worker instantiates the same
 * compiled module on the same shared `WebAssembly.Memory` and then lives inside the module's
 * `workerLoop`, woken by the host through the control block (assembly/threads.ts). The worker
 * source is a string, so it needs no file of its own and no bundler support.
 */
import { GatedError } from '@gated/backend-api';
import { isNode } from './loader.js';

/** What a worker receives: the module, the shared memory, the control block and its thread id. */
interface WorkerStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly controlBlock: number;
  readonly thread: number;
}

const body = `
function start(data, post) {
  let instance;
  try {
    instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  } catch (error) {
    post('error: ' + String(error));
    return;
  }
  post('ready');
  instance.exports.workerLoop(data.controlBlock, data.thread, 0);
}`;

// An eval worker runs as CommonJS or as a module depending on the parent's --input-type, so it
// reaches worker_threads through import(), which both accept.
const nodeSource = `${body}
import('node:worker_threads').then(({ parentPort, workerData }) => {
  start(workerData, (message) => parentPort.postMessage(message));
});`;

const browserSource = `${body}
self.onmessage = (event) => start(event.data, (message) => self.postMessage(message));`;

/** A started worker the backend can stop. */
export interface WorkerThread {
  terminate(): void;
}

const nodeWorkers = 'node:worker_threads';

function whenReady(
  listen: (handler: (message: unknown) => void) => void,
  fail: (handler: (error: unknown) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    listen((message) => {
      if (message === 'ready') resolve();
      else reject(new GatedError('createWasmBackend', `a worker failed to start: ${String(message)}`));
    });
    fail((error) => {
      reject(new GatedError('createWasmBackend', 'a worker failed to start', { cause: error }));
    });
  });
}

async function startNodeWorker(start: WorkerStart): Promise<WorkerThread> {
  const { Worker } = (await import(/* @vite-ignore */ nodeWorkers)) as typeof import('node:worker_threads');
  const worker = new Worker(nodeSource, { eval: true, workerData: start });
  // A forgotten backend must not keep the process alive.
  worker.unref();
  await whenReady(
    (handler) => worker.once('message', handler),
    (handler) => worker.once('error', handler),
  );
  return { terminate: () => void worker.terminate() };
}

let browserScriptUrl: string | null = null;

async function startBrowserWorker(start: WorkerStart): Promise<WorkerThread> {
  browserScriptUrl ??= URL.createObjectURL(new Blob([browserSource], { type: 'text/javascript' }));
  const worker = new Worker(browserScriptUrl);
  const ready = whenReady(
    (handler) => {
      worker.onmessage = (event: MessageEvent) => {
        handler(event.data);
      };
    },
    (handler) => {
      worker.onerror = (event: ErrorEvent) => {
        handler(event.message);
      };
    },
  );
  worker.postMessage(start);
  await ready;
  return {
    terminate: () => {
      worker.terminate();
    },
  };
}

/** What decides whether worker threads on shared memory can run. */
export interface ThreadEnvironment {
  readonly sharedArrayBuffer: boolean;
  readonly node: boolean;
  readonly crossOriginIsolated: boolean;
  readonly webWorkers: boolean;
}

export function currentThreadEnvironment(): ThreadEnvironment {
  return {
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    node: isNode(),
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    webWorkers: typeof Worker === 'function',
  };
}

/** `info.threadsFallback` in a browser page without cross-origin isolation. */
export const NOT_ISOLATED = 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';

/** Why shared-memory threads are unavailable in `environment`, or null when they are available. */
export function threadsUnavailableReason(environment: ThreadEnvironment = currentThreadEnvironment()): string | null {
  if (environment.node) return environment.sharedArrayBuffer ? null : 'SharedArrayBuffer is not available';
  // Browsers hide SharedArrayBuffer from pages that are not cross-origin isolated: name the cause
  // that the page's author can fix (the headers) rather than its symptom.
  if (!environment.crossOriginIsolated) return NOT_ISOLATED;
  if (!environment.sharedArrayBuffer) return 'SharedArrayBuffer is not available';
  if (!environment.webWorkers) return 'Web Workers are not available';
  return null;
}

const HEADERS_HELP =
  ' Serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and' +
  ' "Cross-Origin-Embedder-Policy: require-corp". Vite: set both under server.headers and' +
  " preview.headers in vite.config. Static hosts: add them to the host's headers file" +
  ' (_headers on Netlify and Cloudflare Pages, "headers" in vercel.json or firebase.json) or to the' +
  " server's configuration.";

const warned = new Set<string>();

/**
 * Says on the console, once per page (or process) and reason, that a backend asked for threads
 * computes on one: the fallback is otherwise silent, and the fix is usually two HTTP headers.
 */
export function warnThreadsFallback(requested: number, reason: string): void {
  if (warned.has(reason)) return;
  warned.add(reason);
  const help = reason === NOT_ISOLATED ? HEADERS_HELP : '';
  // eslint-disable-next-line no-console -- the one message a page author sees without reading backend.info
  console.warn(`@gated/backend-wasm: numThreads ${requested} was asked for, computing on 1 thread: ${reason}.${help}`);
}

/** Starts threads 1..count of a pool whose thread 0 is the caller; resolves when all run. */
export async function startWorkers(
  count: number,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  controlBlock: number,
): Promise<WorkerThread[]> {
  const node = isNode();
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => {
      const start: WorkerStart = { module, memory, controlBlock, thread: i + 1 };
      return node ? startNodeWorker(start) : startBrowserWorker(start);
    }),
  );
  const workers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    for (const worker of workers) worker.terminate();
    throw failure.reason;
  }
  return workers;
}
