/**
 * The `wasm` backend: the whole Backend contract on AssemblyScript kernels compiled to
 * WebAssembly with 128-bit SIMD. This file creates the module, its memory and the workers, and
 * owns storage; each kernel family's host side lives in `kernels/` (as in backend-ts), working
 * through `WasmHost` (host.ts), and its arithmetic in `assembly/`. Arguments arrive validated by
 * the checked layer of `@gated/backend-api`. Compute is synchronous: with worker threads the
 * calling thread takes a share of each large job and returns when every thread is done.
 */
import { GatedError, SPEC_VERSION, checkedBackend } from '@gated/backend-api';
import type { ArgReduceOp, Backend, BackendCaps, BackendInfo, BackendMemory, BinaryOp, DType, DataHandle } from '@gated/backend-api';
import type { RandomRequest, ReduceOp, Shape, StridedSpec, TensorSpec, TypedArray, UnaryOp } from '@gated/backend-api';
import type { AdamStepInputs, LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellInputs, LstmCellOutputs } from '@gated/backend-api';
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs, LstmSequenceInputs, LstmSequenceOutputs } from '@gated/backend-api';
import type { GruSequenceBackwardInputs, GruSequenceBackwardOutputs, GruSequenceInputs, GruSequenceOutputs } from '@gated/backend-api';
import { ControlBlock, MAX_THREADS, readCodes } from './abi.js';
import { Allocator } from './allocator.js';
import type { KernelExports } from './exports.js';
import { WasmHost } from './host.js';
import { adamStep } from './kernels/adam-step.js';
import { binary, cast, fill, stridedCopy, unary, where } from './kernels/elementwise.js';
import { concat, gather, scatterAdd } from './kernels/indexing.js';
import { gruSequence, gruSequenceBackward } from './kernels/gru.js';
import { lstmCell, lstmCellBackward, lstmSequence, lstmSequenceBackward } from './kernels/lstm.js';
import { matmul } from './kernels/matmul.js';
import { random } from './kernels/random.js';
import { argReduce, reduce } from './kernels/reduce.js';
import { detectSimd, enableRelaxedSimdInNode, isNode, loadKernels, type SimdLevel } from './loader.js';
import { bufferOf } from './wasm-buffer.js';
import { startWorkers, threadsUnavailableReason, warnThreadsFallback, type WorkerThread } from './workers.js';

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Threads to compute with, the calling thread included (default 1). More than one needs shared
   * memory: always in Node, only in cross-origin-isolated pages in browsers; elsewhere the backend
   * falls back to one thread, says why in {@link WasmBackendInfo.threadsFallback} and warns once
   * on the console (naming the COOP/COEP headers a page needs).
   */
  readonly numThreads?: number;
  /**
   * Which build to run: `relaxed` (fused multiply-add through relaxed SIMD), `simd` (plain
   * 128-bit SIMD), or `auto` (default): relaxed when `WebAssembly.validate` accepts it (Chrome
   * ≥ 114, Node ≥ 22), else plain SIMD. Node 20 has relaxed SIMD only behind V8's
   * `--experimental-wasm-relaxed-simd` flag: asking for `relaxed` there sets that flag for the
   * process (a GEMM runs about 1.2× faster); `auto` never changes flags.
   */
  readonly simd?: 'auto' | SimdLevel;
  /**
   * Multiply-adds below which a matrix product or an LSTM sequence runs on the calling thread
   * alone, because waking the workers would cost more than it saves (default 131072). Tests set
   * 0 to run every product on every thread.
   */
  readonly minParallelWork?: number;
}

/** What a wasm backend runs on, for reports and benchmarks (its `info`, also as `getBackend().info`). */
export interface WasmBackendInfo extends BackendInfo {
  /** The build in use. */
  readonly simd: SimdLevel;
  /** Threads computing (equal to `caps.threads`). */
  readonly threads: number;
  /** Threads asked for. */
  readonly requestedThreads: number;
  /** Why fewer threads than asked for run, or null. */
  readonly threadsFallback: string | null;
}

/** Initial linear memory: 1 MiB; the allocator grows it on demand. */
const INITIAL_PAGES = 16;
/** Spin iterations before a thread waits (see assembly/threads.ts). */
const SPIN = 20_000;
/** Multiply-adds below which a product runs on the calling thread alone (see the option). */
const MIN_PARALLEL_WORK = 1 << 17;

/** Creates a linear memory: shared (trying smaller maxima if the address space is short) or private. */
function createMemory(shared: boolean): { memory: WebAssembly.Memory; maxBytes: number } {
  if (!shared) return { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES }), maxBytes: 65536 * 65536 };
  let lastError: unknown;
  for (const maximum of [65536, 16384, 4096]) {
    try {
      return { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true }), maxBytes: maximum * 65536 };
    } catch (error) {
      lastError = error;
    }
  }
  throw new GatedError('createWasmBackend', 'cannot create a shared WebAssembly.Memory', { cause: lastError });
}

/**
 * The WebAssembly backend. It trusts its arguments: create it with {@link createWasmBackend}
 * (compiling and starting workers is asynchronous), which puts it behind the checked layer, as the
 * tensor engine does with every backend. The class is exported for `instanceof` checks.
 *
 * @example
 * ```ts
 * const backend = await createWasmBackend({ numThreads: 2 });
 * const x = backend.fill('float32', 4, 2);
 * const y = backend.unary('sqrt', { data: x, shape: [2, 2] });
 * console.log(backend.readSync(y)); // Float32Array [1.414…, 1.414…, 1.414…, 1.414…]
 * backend.free(x);
 * backend.free(y);
 * backend.dispose();
 * ```
 */
export class WasmBackend implements Backend {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION;
  readonly name = 'wasm';
  readonly caps: BackendCaps;
  readonly info: WasmBackendInfo;

  private kernelCalls = 0;
  private disposed = false;

  private constructor(
    private readonly host: WasmHost,
    private readonly workers: WorkerThread[],
    info: WasmBackendInfo,
  ) {
    this.info = Object.freeze(info);
    this.caps = Object.freeze({
      syncRead: true,
      fused: Object.freeze({ lstmCell: true, lstmSequence: true, lstmProjection: true, gruSequence: true, adamStep: true }),
      threads: info.threads,
    });
  }

  /** Compiles (once per process) and instantiates the module, then starts the workers. */
  static async create(options: WasmBackendOptions = {}): Promise<WasmBackend> {
    const requested = options.numThreads ?? 1;
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_THREADS) {
      throw new GatedError('createWasmBackend', `numThreads must be an integer in [1, ${MAX_THREADS}], got ${requested}`);
    }
    const minParallelWork = options.minParallelWork ?? MIN_PARALLEL_WORK;
    if (!(minParallelWork >= 0)) {
      throw new GatedError('createWasmBackend', `minParallelWork must be a non-negative number, got ${minParallelWork}`);
    }
    const support = detectSimd();
    if (!support.simd) throw new GatedError('createWasmBackend', 'this WebAssembly engine has no 128-bit SIMD');
    const wanted = options.simd ?? 'auto';
    if (!(['auto', 'relaxed', 'simd'] as unknown[]).includes(wanted)) {
      throw new GatedError('createWasmBackend', `simd must be 'auto', 'relaxed' or 'simd', got ${wanted}`);
    }
    if (wanted === 'relaxed' && !support.relaxed) {
      support.relaxed = await enableRelaxedSimdInNode();
      if (!support.relaxed) throw new GatedError('createWasmBackend', 'relaxed SIMD was asked for but this engine does not validate it');
    }
    const simd: SimdLevel = wanted === 'simd' || !support.relaxed ? 'simd' : 'relaxed';
    let threadsFallback = requested > 1 ? threadsUnavailableReason() : null;
    let threads = threadsFallback === null ? requested : 1;

    const module = await loadKernels(simd, threads > 1);
    const { memory, maxBytes } = createMemory(threads > 1);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const exports = instance.exports as unknown as KernelExports;
    const codes = readCodes(instance.exports);
    const heapStart = (exports.heapBase() + 63) & ~63;
    const allocator = new Allocator(memory, heapStart, maxBytes);
    const controlBlock = allocator.alloc(ControlBlock.bytes);
    new Uint8Array(memory.buffer, controlBlock, ControlBlock.bytes).fill(0);
    const control = new Int32Array(memory.buffer, controlBlock, 16);
    control[ControlBlock.spin >>> 2] = SPIN;
    // The browser's main thread may not block in Atomics.wait; Node's may.
    control[ControlBlock.mainCanWait >>> 2] = isNode() ? 1 : 0;
    let workers: WorkerThread[] = [];
    if (threads > 1) {
      try {
        workers = await startWorkers(threads - 1, module, memory, controlBlock);
      } catch (error) {
        // E.g. a Content-Security-Policy without `worker-src blob:`: compute on this thread alone.
        threadsFallback = error instanceof Error ? error.message : String(error);
        threads = 1;
      }
    }
    control[ControlBlock.threads >>> 2] = threads;
    if (threadsFallback !== null) warnThreadsFallback(requested, threadsFallback);
    const host = new WasmHost(exports, codes, memory, allocator, controlBlock, threads, minParallelWork);
    return new WasmBackend(host, workers, { simd, threads, requestedThreads: requested, threadsFallback });
  }

  // ---- storage -------------------------------------------------------------------------------

  /** Allocates an uninitialised buffer (pooled memory may hold old values). */
  alloc(dtype: DType, size: number): DataHandle {
    return this.host.newBuffer(dtype, size);
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    this.host.copyIn(bufferOf(handle), values, offset);
  }

  read(handle: DataHandle): Promise<TypedArray> {
    return Promise.resolve(this.readSync(handle));
  }

  readSync(handle: DataHandle): TypedArray {
    return this.host.copyOut(bufferOf(handle));
  }

  free(handle: DataHandle): void {
    this.host.freeBuffer(bufferOf(handle));
  }

  /** Compute is synchronous: everything has finished when a kernel returns. */
  sync(): Promise<void> {
    return Promise.resolve();
  }

  /** Live buffers and their exact bytes; `pooledBytes` is what freed blocks keep for reuse. */
  memory(): BackendMemory {
    return { buffers: this.host.live.size, bytes: this.host.liveBytes, pooledBytes: this.host.allocator.pooledBytes };
  }

  /** `kernels`: compute calls that ran since creation; `heapBytes`: linear memory the heap spans. */
  counters(): Readonly<Record<string, number>> {
    const { allocator, linearMemory } = this.host;
    return { kernels: this.kernelCalls, heapBytes: allocator.heapBytes, memoryBytes: linearMemory.buffer.byteLength };
  }

  /** Stops the workers and frees every buffer. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.length > 0) {
      this.host.exports.shutdown(this.host.controlBlock);
      for (const worker of this.workers) worker.terminate();
    }
    this.host.live.clear();
    this.host.liveBytes = 0;
  }

  // ---- compute: each kernel family's host side is in kernels/ ----------------------------------

  fill(dtype: DType, size: number, value: number): DataHandle {
    return this.counted(fill(this.host, dtype, size, value));
  }

  cast(x: TensorSpec, dtype: DType): DataHandle {
    return this.counted(cast(this.host, x, dtype));
  }

  unary(op: UnaryOp, x: TensorSpec): DataHandle {
    return this.counted(unary(this.host, op, x));
  }

  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    return this.counted(binary(this.host, op, a, b, outShape));
  }

  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    return this.counted(where(this.host, cond, a, b, outShape));
  }

  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
    return this.counted(reduce(this.host, op, x, axes));
  }

  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
    return this.counted(argReduce(this.host, op, x, axis));
  }

  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
    return this.counted(matmul(this.host, a, b, transposeA, transposeB, outShape));
  }

  stridedCopy(x: StridedSpec): DataHandle {
    return this.counted(stridedCopy(this.host, x));
  }

  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
    return this.counted(concat(this.host, inputs, axis, outShape));
  }

  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
    return this.counted(gather(this.host, x, indices, axis));
  }

  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
    return this.counted(scatterAdd(this.host, updates, indices, axis, outShape));
  }

  random(request: RandomRequest): DataHandle {
    return this.counted(random(this.host, request));
  }

  lstmCell(inputs: LstmCellInputs): LstmCellOutputs {
    return this.counted(lstmCell(this.host, inputs));
  }

  lstmCellBackward(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs {
    return this.counted(lstmCellBackward(this.host, inputs));
  }

  lstmSequence(inputs: LstmSequenceInputs): LstmSequenceOutputs {
    return this.counted(lstmSequence(this.host, inputs));
  }

  lstmSequenceBackward(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs {
    return this.counted(lstmSequenceBackward(this.host, inputs));
  }

  gruSequence(inputs: GruSequenceInputs): GruSequenceOutputs {
    return this.counted(gruSequence(this.host, inputs));
  }

  gruSequenceBackward(inputs: GruSequenceBackwardInputs): GruSequenceBackwardOutputs {
    return this.counted(gruSequenceBackward(this.host, inputs));
  }

  adamStep(inputs: AdamStepInputs): void {
    adamStep(this.host, inputs);
    this.kernelCalls++;
  }

  /** Counts a kernel call that ran. */
  private counted<T>(result: T): T {
    this.kernelCalls++;
    return result;
  }
}

/**
 * Creates a `wasm` backend: the factory to register with `@gated/tensor`. Asynchronous, because
 * it compiles the module (once per process) and starts worker threads.
 *
 * @example
 * ```ts
 * import { add, registerBackend, setBackend, tensor } from '@gated/tensor';
 * import { createWasmBackend } from '@gated/backend-wasm';
 *
 * registerBackend('wasm', () => createWasmBackend({ numThreads: 2 }));
 * await setBackend('wasm');
 * console.log(await add(tensor([1, 2, 3]), 1).toArray()); // [2, 3, 4]
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return checkedBackend(await WasmBackend.create(options));
}
