/**
 * The `wasm` backend: the whole Backend contract on AssemblyScript kernels compiled to
 * WebAssembly with 128-bit SIMD. This file owns storage (buffers in linear memory through the
 * size-class allocator, the live-buffer set behind `memory()`, handle validation), argument
 * checks, and the calls into the module; the arithmetic lives in `assembly/`. Compute is
 * synchronous: with worker threads the calling thread takes a share of each large job and
 * returns when every thread is done.
 */
import {
  BINARY_OPS,
  BINARY_TYPING,
  GatedError,
  checkAllowed,
  checkAxis,
  checkBroadcast,
  checkConcatShapes,
  checkLengths,
  checkMatmulShapes,
  checkReduceAxes,
  checkScatterAddShapes,
  checkSequenceShapes,
  checkStateShape,
  checkStrides,
  checkDType,
  checkShape,
  checkSize,
  REDUCE_TYPING,
  SPEC_VERSION,
  UNARY_OPS,
  UNARY_TYPING,
  broadcastStrides,
  bytesPerElement,
  contiguousStrides,
  formatShape,
  isArrayOfDType,
  sizeOf,
  type AdamStepInputs,
  type ArgReduceOp,
  type Backend,
  type BackendCaps,
  type BackendInfo,
  type BackendMemory,
  type BinaryOp,
  type DType,
  type DataHandle,
  type LstmCellBackwardInputs,
  type LstmCellBackwardOutputs,
  type LstmCellInputs,
  type LstmCellOutputs,
  type LstmSequenceBackwardInputs,
  type LstmSequenceBackwardOutputs,
  type LstmSequenceInputs,
  type LstmSequenceOutputs,
  type RandomRequest,
  type ReduceOp,
  type Shape,
  type StridedSpec,
  type TensorSpec,
  type TypedArray,
  type UnaryOp,
} from '@gated/backend-api';
import { Allocator } from './allocator.js';

import { CB, JOB, MAX_THREADS, type KernelExports } from './exports.js';
import { detectSimd, enableRelaxedSimdInNode, isNode, loadKernels, type SimdLevel } from './loader.js';
import { mergeAxes, planSlots, writePlan, type Plan } from './plan.js';
import { WasmBuffer } from './wasm-buffer.js';
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

const NUMERIC: readonly DType[] = ['float32', 'int32'];
const FLOAT: readonly DType[] = ['float32'];
const INT: readonly DType[] = ['int32'];
const BOOL: readonly DType[] = ['bool'];
const ANY: readonly DType[] = ['float32', 'int32', 'bool'];

const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };
const REDUCE_CODE: Readonly<Record<ReduceOp, number>> = { sum: 0, prod: 1, max: 2, min: 3 };
const RANDOM_KIND = { uniform: 0, normal: 1, bernoulli: 2 } as const;

/** Bytes of the plan area (i32 slots for the strided kernels' plans). */
const PLAN_BYTES = 4096;
/** Initial linear memory: 1 MiB; the allocator grows it on demand. */
const INITIAL_PAGES = 16;
/** Spin iterations before a thread waits (see assembly/threads.ts). */
const SPIN = 20_000;
/** Multiply-adds below which a product runs on the calling thread alone (see the option). */
const MIN_PARALLEL_WORK = 1 << 17;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The int32 a number converts to: truncation toward zero, NaN → 0, saturation. */
function toInt32(x: number): number {
  if (x !== x) return 0;
  if (x <= INT32_MIN) return INT32_MIN;
  if (x >= INT32_MAX) return INT32_MAX;
  return Math.trunc(x);
}

const bitsView = new DataView(new ArrayBuffer(4));

/** The 32-bit pattern `fill` stores for `value` in a buffer of `dtype` (float32 or int32). */
function fillBits(dtype: DType, value: number): number {
  if (dtype === 'int32') return toInt32(value);
  bitsView.setFloat32(0, value);
  return bitsView.getInt32(0);
}

function dtypeOf(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  return values instanceof Int32Array ? 'int32' : 'bool';
}

interface HeapViews {
  readonly buffer: ArrayBufferLike;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

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
 * The WebAssembly backend. Create it with {@link createWasmBackend} (compiling and starting
 * workers is asynchronous); the class is exported for `instanceof` checks.
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

  private readonly live = new Set<WasmBuffer>();
  private liveBytes = 0;
  private kernelCalls = 0;
  private disposed = false;
  private views: HeapViews;
  private readonly planAddress: number;

  private constructor(
    private readonly exports: KernelExports,
    private readonly linearMemory: WebAssembly.Memory,
    private readonly allocator: Allocator,
    private readonly controlBlock: number,
    private readonly workers: WorkerThread[],
    private readonly minParallelWork: number,
    info: WasmBackendInfo,
  ) {
    this.info = Object.freeze(info);
    this.caps = Object.freeze({
      syncRead: true,
      fused: Object.freeze({ lstmCell: true, lstmSequence: true, adamStep: true }),
      threads: info.threads,
    });
    this.views = this.makeViews();
    this.planAddress = allocator.alloc(PLAN_BYTES);
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
    const heapStart = (exports.heapBase() + 63) & ~63;
    const allocator = new Allocator(memory, heapStart, maxBytes);
    const controlBlock = allocator.alloc(CB.bytes);
    new Uint8Array(memory.buffer, controlBlock, CB.bytes).fill(0);
    const control = new Int32Array(memory.buffer, controlBlock, 16);
    control[CB.spin >> 2] = SPIN;
    // The browser's main thread may not block in Atomics.wait; Node's may.
    control[CB.mainCanWait >> 2] = isNode() ? 1 : 0;
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
    control[CB.threads >> 2] = threads;
    if (threadsFallback !== null) warnThreadsFallback(requested, threadsFallback);
    return new WasmBackend(exports, memory, allocator, controlBlock, workers, minParallelWork, {
      simd, threads, requestedThreads: requested, threadsFallback,
    });
  }

  // ---- storage -------------------------------------------------------------------------------

  /** Allocates an uninitialised buffer (pooled memory may hold old values). */
  alloc(dtype: DType, size: number): DataHandle {
    this.checkAlive('alloc');
    checkDType('alloc', dtype);
    checkSize('alloc', size);
    return this.newBuffer(dtype, size);
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    const buffer = this.own('write', handle);
    if (!isArrayOfDType(values, buffer.dtype)) {
      throw new GatedError('write', `values are ${dtypeOf(values)} but the buffer is ${buffer.dtype}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + values.length > buffer.size) {
      throw new GatedError('write', `${values.length} values at offset ${offset} do not fit a buffer of ${buffer.size} elements`);
    }
    const heap = this.heap();
    if (buffer.dtype === 'bool') {
      // Keep the 0/1 invariant every bool kernel relies on.
      const target = heap.u8;
      const base = buffer.address + offset;
      for (let i = 0; i < values.length; i++) target[base + i] = values[i] !== 0 ? 1 : 0;
    } else if (buffer.dtype === 'int32') {
      heap.i32.set(values, (buffer.address >> 2) + offset);
    } else {
      heap.f32.set(values, (buffer.address >> 2) + offset);
    }
  }

  /** Resolves to a copy; a bad handle rejects the promise (with a GatedError) rather than throwing. */
  read(handle: DataHandle): Promise<TypedArray> {
    return new Promise((resolve) => {
      resolve(this.copyOut(this.own('read', handle)));
    });
  }

  readSync(handle: DataHandle): TypedArray {
    return this.copyOut(this.own('readSync', handle));
  }

  free(handle: DataHandle): void {
    const buffer = this.own('free', handle);
    buffer.freed = true;
    this.live.delete(buffer);
    this.liveBytes -= buffer.bytes;
    this.allocator.release(buffer.address, buffer.bytes);
  }

  /** Compute is synchronous: everything has finished when a kernel returns. */
  sync(): Promise<void> {
    return Promise.resolve();
  }

  /** Live buffers and their exact bytes; `pooledBytes` is what freed blocks keep for reuse. */
  memory(): BackendMemory {
    return { buffers: this.live.size, bytes: this.liveBytes, pooledBytes: this.allocator.pooledBytes };
  }

  /** `kernels`: compute calls that ran since creation; `heapBytes`: linear memory the heap spans. */
  counters(): Readonly<Record<string, number>> {
    return { kernels: this.kernelCalls, heapBytes: this.allocator.heapBytes, memoryBytes: this.linearMemory.buffer.byteLength };
  }

  /** Stops the workers and frees every buffer; any later call throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.length > 0) {
      this.exports.shutdown(this.controlBlock);
      for (const worker of this.workers) worker.terminate();
    }
    for (const buffer of this.live) buffer.freed = true;
    this.live.clear();
    this.liveBytes = 0;
  }

  // ---- required compute core -----------------------------------------------------------------

  fill(dtype: DType, size: number, value: number): DataHandle {
    this.checkAlive('fill');
    checkDType('fill', dtype);
    checkSize('fill', size);
    const out = this.newBuffer(dtype, size);
    if (size > 0) {
      if (dtype === 'bool') this.exports.fill8(out.address, size, value !== 0 ? 1 : 0);
      else this.exports.fill32(out.address, size, fillBits(dtype, value));
    }
    return this.counted(out);
  }

  cast(x: TensorSpec, dtype: DType): DataHandle {
    this.checkAlive('cast');
    const input = this.input('cast', 'x', x);
    checkDType('cast', dtype);
    const out = this.newBuffer(dtype, input.size);
    if (input.size > 0) this.exports.cast(DTYPE_CODE[input.dtype], DTYPE_CODE[dtype], out.address, input.address, input.size);
    return this.counted(out);
  }

  unary(op: UnaryOp, x: TensorSpec): DataHandle {
    this.checkAlive('unary');
    if (!Object.hasOwn(UNARY_TYPING, op)) throw new GatedError('unary', `unknown op ${op}`);
    const input = this.input('unary', 'x', x);
    const typing = UNARY_TYPING[op];
    checkAllowed('unary', `x of ${op}`, input.dtype, typing.inputs);
    const out = this.newBuffer(typing.output === 'same' ? input.dtype : typing.output, input.size);
    if (input.size > 0) {
      const code = UNARY_OPS.indexOf(op);
      if (input.dtype === 'float32') this.exports.unaryF32(code, out.address, input.address, input.size);
      else if (input.dtype === 'int32') this.exports.unaryI32(code, out.address, input.address, input.size);
      else this.exports.logicalNot(out.address, input.address, input.size);
    }
    return this.counted(out);
  }

  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.checkAlive('binary');
    if (!Object.hasOwn(BINARY_TYPING, op)) throw new GatedError('binary', `unknown op ${op}`);
    const left = this.input('binary', 'a', a);
    const right = this.input('binary', 'b', b, [left.dtype]);
    const typing = BINARY_TYPING[op];
    checkAllowed('binary', `a of ${op}`, left.dtype, typing.inputs);
    checkBroadcast('binary', 'a', a.shape, outShape);
    checkBroadcast('binary', 'b', b.shape, outShape);
    const size = sizeOf(outShape);
    const out = this.newBuffer(typing.output === 'same' ? left.dtype : typing.output, size);
    if (size > 0) {
      const code = BINARY_OPS.indexOf(op);
      const plan = left.size === size && right.size === size
        ? { dims: [size], strides: [[1], [1]] }
        : mergeAxes(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
      const planAddress = this.writePlan(plan);
      this.exports.binary(code, DTYPE_CODE[left.dtype], out.address, left.address, right.address, planAddress);
    }
    return this.counted(out);
  }

  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.checkAlive('where');
    const mask = this.input('where', 'cond', cond, BOOL);
    const left = this.input('where', 'a', a);
    const right = this.input('where', 'b', b, [left.dtype]);
    checkBroadcast('where', 'cond', cond.shape, outShape);
    checkBroadcast('where', 'a', a.shape, outShape);
    checkBroadcast('where', 'b', b.shape, outShape);
    const size = sizeOf(outShape);
    const out = this.newBuffer(left.dtype, size);
    if (size > 0) {
      const plan = mergeAxes(outShape, [
        broadcastStrides(cond.shape, outShape),
        broadcastStrides(a.shape, outShape),
        broadcastStrides(b.shape, outShape),
      ]);
      const planAddress = this.writePlan(plan);
      this.exports.where(bytesPerElement(left.dtype), out.address, mask.address, left.address, right.address, planAddress);
    }
    return this.counted(out);
  }

  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
    this.checkAlive('reduce');
    if (!Object.hasOwn(REDUCE_TYPING, op)) throw new GatedError('reduce', `unknown op ${op}`);
    const input = this.input('reduce', 'x', x, REDUCE_TYPING[op].inputs);
    checkReduceAxes('reduce', axes, x.shape.length);
    const outShape = x.shape.filter((_, axis) => !axes.includes(axis));
    const outSize = sizeOf(outShape);
    const out = this.newBuffer(input.dtype, outSize);
    if (outSize > 0) {
      const kept = contiguousStrides(outShape);
      const outStrides: number[] = [];
      for (let axis = 0, k = 0; axis < x.shape.length; axis++) outStrides.push(axes.includes(axis) ? 0 : kept[k++]!);
      const planAddress = this.writePlan(mergeAxes(x.shape, [contiguousStrides(x.shape), outStrides]));
      this.withScratch(outSize * 8, (acc) => {
        this.exports.reduce(REDUCE_CODE[op], DTYPE_CODE[input.dtype], out.address, outSize, input.address, planAddress, acc);
      });
    }
    return this.counted(out);
  }

  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
    this.checkAlive('argReduce');
    const name: string = op;
    if (name !== 'argmax' && name !== 'argmin') throw new GatedError('argReduce', `unknown op ${name}`);
    const input = this.input('argReduce', 'x', x, ANY);
    checkAxis('argReduce', axis, x.shape.length);
    const n = x.shape[axis]!;
    const [outer, inner] = outerInner(x.shape, axis);
    if (outer * inner > 0 && n === 0) throw new GatedError('argReduce', `${op} over axis ${axis} of size 0 has no answer`);
    const out = this.newBuffer('int32', outer * inner);
    if (outer * inner > 0) {
      this.withScratch(inner * 8, (best) => {
        this.exports.argReduce(op === 'argmax' ? 0 : 1, DTYPE_CODE[input.dtype], out.address, input.address, outer, n, inner, best);
      });
    }
    return this.counted(out);
  }

  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
    this.checkAlive('matmul');
    const left = this.input('matmul', 'a', a, FLOAT);
    const right = this.input('matmul', 'b', b, FLOAT);
    const { m, k: depth, n, batch: batchShape } = checkMatmulShapes(a.shape, b.shape, transposeA, transposeB, outShape);
    const out = this.newBuffer('float32', sizeOf(outShape));
    if (out.size === 0) return this.counted(out);
    if (depth === 0) {
      this.exports.fill32(out.address, out.size, 0);
      return this.counted(out);
    }
    const plan = mergeAxes(batchShape, [
      broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * m * depth),
      broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * depth * n),
    ]);
    // A(i, k) as (row step, k step) in bytes: row-major [M, K], or [K, M] when transposed.
    const [rowStep, depthStep] = transposeA ? [4, m * 4] : [depth * 4, 4];
    const ldb = transposeB ? depth : n;
    this.withScratch(this.exports.packedSize(depth, n) * 4 + this.packABytes, (packed) => {
      const packedA = packed + this.exports.packedSize(depth, n) * 4;
      let lastB = -1;
      let outOffset = 0;
      forEachOffset(plan, (offsetA, offsetB) => {
        this.gemm({
          a: left.address + offsetA * 4, rowStep, depthStep,
          b: right.address + offsetB * 4, ldb, transposeB,
          c: out.address + outOffset * 4, ldc: n,
          m, n, k: depth, packed, packedReady: offsetB === lastB, packedA,
        });
        lastB = offsetB;
        outOffset += m * n;
      });
    });
    return this.counted(out);
  }

  stridedCopy(x: StridedSpec): DataHandle {
    this.checkAlive('stridedCopy');
    const source = this.own('stridedCopy', x.data, 'x');
    checkStrides(x.shape, x.strides, x.offset);
    const size = sizeOf(x.shape);
    if (size > 0) {
      let lowest = x.offset;
      let highest = x.offset;
      for (let axis = 0; axis < x.shape.length; axis++) {
        const reach = (x.shape[axis]! - 1) * x.strides[axis]!;
        if (reach < 0) lowest += reach;
        else highest += reach;
      }
      if (lowest < 0 || highest >= source.size) {
        throw new GatedError(
          'stridedCopy',
          `the view reaches elements ${lowest} to ${highest}, outside a buffer of ${source.size} elements`,
        );
      }
    }
    const out = this.newBuffer(source.dtype, size);
    if (size > 0) {
      const planAddress = this.writePlan(mergeAxes(x.shape, [x.strides]), [x.offset]);
      this.exports.stridedCopy(bytesPerElement(source.dtype), out.address, source.address, planAddress);
    }
    return this.counted(out);
  }

  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
    this.checkAlive('concat');
    checkConcatShapes(inputs.map((spec) => spec.shape), axis, outShape);
    const buffers: WasmBuffer[] = [];
    for (const [i, spec] of inputs.entries()) {
      buffers.push(this.input('concat', `input ${i}`, spec, buffers.length ? [buffers[0]!.dtype] : ANY));
    }
    const dtype = buffers[0]!.dtype;
    const out = this.newBuffer(dtype, sizeOf(outShape));
    if (out.size > 0) {
      const width = bytesPerElement(dtype);
      let outer = 1;
      for (let d = 0; d < axis; d++) outer *= outShape[d]!;
      const outRowBytes = (out.size / outer) * width;
      let columnBytes = 0;
      for (const input of buffers) {
        const chunkBytes = (input.size / outer) * width;
        if (chunkBytes > 0) this.exports.copyChunks(out.address + columnBytes, outRowBytes, input.address, chunkBytes, outer);
        columnBytes += chunkBytes;
      }
    }
    return this.counted(out);
  }

  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
    this.checkAlive('gather');
    const source = this.input('gather', 'x', x);
    const index = this.input('gather', 'indices', indices, INT);
    checkAxis('gather', axis, x.shape.length);
    const size = x.shape[axis]!;
    this.checkIndices('gather', index, axis, size);
    const [outer, inner] = outerInner(x.shape, axis);
    const out = this.newBuffer(source.dtype, outer * index.size * inner);
    if (out.size > 0) {
      this.exports.gather(bytesPerElement(source.dtype), out.address, source.address, outer, size, inner, index.address, index.size);
    }
    return this.counted(out);
  }

  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
    this.checkAlive('scatterAdd');
    const source = this.input('scatterAdd', 'updates', updates, NUMERIC);
    const index = this.input('scatterAdd', 'indices', indices, INT);
    checkScatterAddShapes(updates.shape, indices.shape, axis, outShape);
    const size = outShape[axis]!;
    this.checkIndices('scatterAdd', index, axis, size);
    const [outer, inner] = outerInner(outShape, axis);
    const out = this.newBuffer(source.dtype, sizeOf(outShape));
    if (out.size > 0) {
      const accBytes = source.dtype === 'float32' ? out.size * 8 : 0;
      this.withScratch(accBytes, (acc) => {
        this.exports.scatterAdd(DTYPE_CODE[source.dtype], out.address, source.address, outer, size, inner, index.address, index.size, acc);
      });
    }
    return this.counted(out);
  }

  random(request: RandomRequest): DataHandle {
    this.checkAlive('random');
    checkSize('random', request.size);
    const { spec } = request;
    const kind: string = spec.kind;
    if (kind !== 'uniform' && kind !== 'normal' && kind !== 'bernoulli') {
      throw new GatedError('random', `unknown distribution ${kind}`);
    }
    const out = this.newBuffer('float32', request.size);
    if (out.size > 0) {
      const [p0, p1] = spec.kind === 'uniform' ? [spec.low, spec.high] : spec.kind === 'normal' ? [spec.mean, spec.std] : [spec.p, 0];
      this.exports.random(RANDOM_KIND[spec.kind], out.address, out.size, request.key[0] | 0, request.key[1] | 0, p0, p1);
    }
    return this.counted(out);
  }

  // ---- fused kernels -------------------------------------------------------------------------

  lstmCell(inputs: LstmCellInputs): LstmCellOutputs {
    const op = 'lstmCell';
    this.checkAlive(op);
    const [batch, hidden] = checkStateShape(op, 'c', inputs.c.shape);
    const c = this.float(op, 'c', inputs.c);
    const inputGates = this.float(op, 'inputGates', inputs.inputGates, [batch, 4 * hidden]);
    const hiddenGates = this.float(op, 'hiddenGates', inputs.hiddenGates, [batch, 4 * hidden]);
    const h = this.newBuffer('float32', batch * hidden);
    const cNew = this.newBuffer('float32', batch * hidden);
    const gates = this.newBuffer('float32', batch * 4 * hidden);
    if (h.size > 0) {
      this.exports.lstmCell(inputGates.address, hiddenGates.address, c.address, batch, hidden,
        h.address, cNew.address, gates.address, this.stage());
    }
    this.kernelCalls++;
    return { h, c: cNew, gates };
  }

  lstmCellBackward(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs {
    const op = 'lstmCellBackward';
    this.checkAlive(op);
    const [batch, hidden] = checkStateShape(op, 'c', inputs.c.shape);
    const state = [batch, hidden];
    const dh = this.float(op, 'dh', inputs.dh, state);
    const dc = this.float(op, 'dc', inputs.dc, state);
    const c = this.float(op, 'c', inputs.c);
    const cNew = this.float(op, 'cNew', inputs.cNew, state);
    const gates = this.float(op, 'gates', inputs.gates, [batch, 4 * hidden]);
    const dGates = this.newBuffer('float32', batch * 4 * hidden);
    const dcPrev = this.newBuffer('float32', batch * hidden);
    if (dcPrev.size > 0) {
      this.exports.lstmCellBackward(dh.address, dc.address, c.address, cNew.address, gates.address, batch, hidden,
        dGates.address, dcPrev.address, this.stage());
    }
    this.kernelCalls++;
    return { dGates, dc: dcPrev };
  }

  lstmSequence(inputs: LstmSequenceInputs): LstmSequenceOutputs {
    const op = 'lstmSequence';
    this.checkAlive(op);
    const dims = checkSequenceShapes(op, inputs);
    const { steps, batch, hidden } = dims;
    const inputGates = this.float(op, 'inputGates', inputs.inputGates);
    const weightHh = this.float(op, 'weightHh', inputs.weightHh);
    const h0 = this.float(op, 'h0', inputs.h0);
    const c0 = this.float(op, 'c0', inputs.c0);
    const lengths = this.lengths(op, inputs.lengths, steps, batch);
    const stepElements = steps * batch * hidden;
    const output = this.newBuffer('float32', stepElements);
    const h = this.newBuffer('float32', batch * hidden);
    const c = this.newBuffer('float32', batch * hidden);
    const gates = this.newBuffer('float32', 4 * stepElements);
    const cells = this.newBuffer('float32', stepElements);
    if (batch * hidden > 0) {
      const stateBytes = this.exports.lstmForwardScratch(batch, hidden) * 4;
      const packedHBytes = this.exports.packedRows(batch, hidden) * 4 * this.info.threads;
      this.withScratch(stateBytes + packedHBytes, (scratch) => {
        const groups = Math.ceil(hidden / 4);
        const packed = scratch;
        const pre = packed + groups * 16 * hidden * 4;
        const hbuf = pre + batch * groups * 16 * 4;
        const cstate = hbuf + 2 * batch * hidden * 4;
        const packedH = scratch + stateBytes;
        this.runJob(JOB.lstmForward, batch * hidden * 4 * hidden, [
          inputGates.address, weightHh.address, h0.address, c0.address, lengths?.address ?? 0, inputs.reverse ? 1 : 0,
          steps, batch, hidden, output.address, h.address, c.address, gates.address, cells.address,
          packed, pre, hbuf, cstate, packedH,
        ]);
      });
    }
    this.kernelCalls++;
    return { output, h, c, gates, cells };
  }

  lstmSequenceBackward(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs {
    const op = 'lstmSequenceBackward';
    this.checkAlive(op);
    const { forward } = inputs;
    const { steps, batch, hidden } = checkSequenceShapes(op, forward);
    const perStep = [steps, batch, hidden];
    const h0 = this.float(op, 'h0', forward.h0);
    const c0 = this.float(op, 'c0', forward.c0);
    const weightHh = this.float(op, 'weightHh', forward.weightHh);
    const lengths = this.lengths(op, forward.lengths, steps, batch);
    const output = this.float(op, 'output', inputs.output, perStep);
    const gates = this.float(op, 'gates', inputs.gates, [steps, batch, 4 * hidden]);
    const cells = this.float(op, 'cells', inputs.cells, perStep);
    const dOutput = this.float(op, 'dOutput', inputs.dOutput, perStep);
    const dh = this.float(op, 'dh', inputs.dh, [batch, hidden]);
    const dc = this.float(op, 'dc', inputs.dc, [batch, hidden]);
    const width = 4 * hidden;
    const dInputGates = this.newBuffer('float32', steps * batch * width);
    const dWeightHh = this.newBuffer('float32', width * hidden);
    const dh0 = this.newBuffer('float32', batch * hidden);
    const dc0 = this.newBuffer('float32', batch * hidden);
    if (batch * hidden > 0) {
      const depth = steps * batch;
      const stateBytes = batch * hidden * 4;
      const packedGradsBytes = this.exports.packedRows(batch, width) * 4 * this.info.threads;
      const scratchBytes = this.exports.lstmBackwardScratch(batch, hidden) * 4 + depth * hidden * 4 + packedGradsBytes;
      this.withScratch(scratchBytes, (scratch) => {
        const packed = scratch;
        const dhState = packed + Math.ceil(hidden / 8) * 8 * width * 4;
        const dcState = dhState + stateBytes;
        const dhNew = dcState + stateBytes;
        const hPrev = dhNew + stateBytes;
        const packedGrads = hPrev + depth * hidden * 4;
        this.runJob(JOB.lstmBackward, batch * hidden * width, [
          weightHh.address, h0.address, c0.address, lengths?.address ?? 0, forward.reverse ? 1 : 0,
          steps, batch, hidden, output.address, gates.address, cells.address, dOutput.address,
          dh.address, dc.address, dInputGates.address, dh0.address, dc0.address, hPrev,
          packed, dhState, dcState, dhNew, packedGrads,
        ]);
        // dW_hh[g, j] = Σ over (t, b) of dGates[t, b, g] · hPrev[t, b, j]: one product.
        if (depth === 0) {
          this.exports.fill32(dWeightHh.address, dWeightHh.size, 0);
          return;
        }
        const packedBBytes = this.exports.packedSize(depth, hidden) * 4;
        this.withScratch(packedBBytes + this.packABytes, (packedB) => {
          this.gemm({
            a: dInputGates.address, rowStep: 4, depthStep: width * 4,
            b: hPrev, ldb: hidden, transposeB: false,
            c: dWeightHh.address, ldc: hidden,
            m: width, n: hidden, k: depth, packed: packedB, packedReady: false, packedA: packedB + packedBBytes,
          });
        });
      });
    } else if (dWeightHh.size > 0) {
      this.exports.fill32(dWeightHh.address, dWeightHh.size, 0);
    }
    this.kernelCalls++;
    return { dInputGates, dWeightHh, dh0, dc0 };
  }

  adamStep(inputs: AdamStepInputs): void {
    const op = 'adamStep';
    this.checkAlive(op);
    const shape = inputs.param.shape;
    const param = this.float(op, 'param', inputs.param);
    const grad = this.float(op, 'grad', inputs.grad, shape);
    const m = this.float(op, 'm', inputs.m, shape);
    const v = this.float(op, 'v', inputs.v, shape);
    const vMax = inputs.vMax === null ? null : this.float(op, 'vMax', inputs.vMax, shape);
    const { step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize } = inputs;
    if (!(step >= 1)) throw new GatedError(op, `step counts from 1, got ${step}`);
    if (param.size > 0) {
      const biasCorrection1 = 1 - Math.pow(beta1, step);
      const biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
      const decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1;
      // PyTorch skips weight decay entirely at 0, which matters when a parameter is infinite.
      const coupled = !decoupledWeightDecay && weightDecay !== 0;
      this.exports.adamStep(param.address, grad.address, m.address, v.address, vMax?.address ?? 0, param.size,
        lr / biasCorrection1, biasCorrection2Sqrt, beta1, beta2, eps, weightDecay, decay, coupled ? 1 : 0, maximize ? 1 : 0);
    }
    this.kernelCalls++;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private checkAlive(op: string): void {
    if (this.disposed) throw new GatedError(op, 'the wasm backend was disposed');
  }

  private makeViews(): HeapViews {
    const buffer = this.linearMemory.buffer;
    return {
      buffer,
      u8: new Uint8Array(buffer),
      i32: new Int32Array(buffer),
      f32: new Float32Array(buffer),
      f64: new Float64Array(buffer),
    };
  }

  /** Views of linear memory, re-created after the memory grew (the old buffer is detached). */
  private heap(): HeapViews {
    if (this.views.buffer !== this.linearMemory.buffer) this.views = this.makeViews();
    return this.views;
  }

  private newBuffer(dtype: DType, size: number): WasmBuffer {
    const bytes = size * bytesPerElement(dtype);
    const buffer = new WasmBuffer(this, dtype, size, this.allocator.alloc(bytes));
    this.live.add(buffer);
    this.liveBytes += bytes;
    return buffer;
  }

  /** Counts a single-output kernel call that ran. */
  private counted(buffer: WasmBuffer): WasmBuffer {
    this.kernelCalls++;
    return buffer;
  }

  /** Runs `body` with a scratch block of `bytes`, which goes back to the allocator afterwards. */
  private withScratch(bytes: number, body: (address: number) => void): void {
    const address = this.allocator.alloc(bytes);
    try {
      body(address);
    } finally {
      this.allocator.release(address, bytes);
    }
  }

  /** 16 bytes of the calling thread's tile scratch, for kernels that stage partial vectors. */
  private stage(): number {
    return this.controlBlock + CB.tiles + 128;
  }

  private copyOut(buffer: WasmBuffer): TypedArray {
    const heap = this.heap();
    const start = buffer.address;
    if (buffer.dtype === 'bool') return heap.u8.slice(start, start + buffer.size);
    if (buffer.dtype === 'int32') return heap.i32.slice(start >> 2, (start >> 2) + buffer.size);
    return heap.f32.slice(start >> 2, (start >> 2) + buffer.size);
  }

  private writePlan(plan: Plan, bases?: readonly number[]): number {
    if (planSlots(plan.dims.length, plan.strides.length) * 4 > PLAN_BYTES) {
      throw new GatedError('wasm', `a view of rank ${plan.dims.length} is too deep for the plan area`);
    }
    writePlan(this.heap().i32, this.planAddress >> 2, plan, bases);
    return this.planAddress;
  }

  /** Writes job arguments (integers and addresses; one 8-byte slot each) and runs the job. */
  private runJob(kind: number, multiplyAdds: number, args: readonly number[], floats: readonly number[] = []): void {
    const heap = this.heap();
    const base = this.controlBlock + CB.args;
    args.forEach((value, slot) => {
      heap.i32[(base >> 2) + slot * 2] = value;
    });
    floats.forEach((value, i) => {
      heap.f64[(base >> 3) + args.length + i] = value;
    });
    heap.i32[(this.controlBlock + CB.kind) >> 2] = kind;
    const threads = multiplyAdds >= this.minParallelWork ? this.info.threads : 1;
    heap.i32[(this.controlBlock + CB.threads) >> 2] = threads;
    if (threads > 1) {
      // Both sets of work-claiming counters start at zero (one per thread, 64 bytes apart).
      for (let set = 0; set < 2; set++) {
        for (let t = 0; t < threads; t++) heap.i32[(this.controlBlock + CB.claims + (set * 64 + t) * 64) >> 2] = 0;
      }
    }
    this.exports.job(this.controlBlock);
  }

  /** One product on the GEMM job; `packedA` is {@link packABytes} of scratch per thread. */
  private gemm(p: {
    a: number; rowStep: number; depthStep: number; b: number; ldb: number; transposeB: boolean;
    c: number; ldc: number; m: number; n: number; k: number; packed: number; packedReady: boolean; packedA: number;
  }): void {
    this.runJob(JOB.gemm, p.m * p.n * p.k, [
      p.a, p.b, p.c, p.m, p.n, p.k, p.rowStep, p.depthStep, p.ldb, p.transposeB ? 1 : 0, p.packed, p.packedReady ? 1 : 0, p.ldc,
      p.packedA,
    ]);
  }

  /** Scratch for packed A: one block per thread. */
  private get packABytes(): number {
    return this.exports.packABytes() * this.info.threads;
  }

  private checkIndices(op: string, indices: WasmBuffer, axis: number, size: number): void {
    if (indices.size === 0) return;
    const bad = this.exports.checkIndices(indices.address, indices.size, size);
    if (bad >= 0) {
      const index = this.heap().i32[(indices.address >> 2) + bad]!;
      throw new GatedError(op, `index ${index} is out of range for axis ${axis} of size ${size}`);
    }
  }

  /** The live WasmBuffer behind `handle`, or a GatedError naming `op`. */
  private own(op: string, handle: DataHandle, what = 'buffer'): WasmBuffer {
    this.checkAlive(op);
    if (!(handle instanceof WasmBuffer) || handle.owner !== this) {
      throw new GatedError(op, `${what} is not a buffer of this wasm backend`);
    }
    if (handle.freed) throw new GatedError(op, `${what} was already freed`);
    return handle;
  }

  /** A live input whose shape matches its buffer, optionally restricted to some dtypes. */
  private input(op: string, what: string, spec: TensorSpec, allowed?: readonly DType[]): WasmBuffer {
    const buffer = this.own(op, spec.data, what);
    if (sizeOf(spec.shape) !== buffer.size) {
      throw new GatedError(op, `${what} has shape ${formatShape(spec.shape)} but its buffer holds ${buffer.size} elements`);
    }
    if (allowed) checkAllowed(op, what, buffer.dtype, allowed);
    return buffer;
  }

  /** A float32 input, checking its shape against `shape` when given. */
  private float(op: string, what: string, spec: TensorSpec, shape?: Shape): WasmBuffer {
    if (shape) checkShape(op, what, spec.shape, shape);
    return this.input(op, what, spec, FLOAT);
  }

  private lengths(op: string, spec: TensorSpec | null, steps: number, batch: number): WasmBuffer | null {
    if (spec === null) return null;
    checkShape(op, 'lengths', spec.shape, [batch]);
    const buffer = this.input(op, 'lengths', spec, INT);
    const values = this.heap().i32.subarray(buffer.address >> 2, (buffer.address >> 2) + batch);
    checkLengths(op, values, steps);
    return buffer;
  }
}

/** Sizes of the axes before `axis` and after it. */
function outerInner(shape: Shape, axis: number): [outer: number, inner: number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, inner];
}

/** Calls `visit` with both operands' element offsets for every batch of a two-operand plan. */
function forEachOffset(plan: Plan, visit: (offsetA: number, offsetB: number) => void): void {
  const { dims, strides } = plan;
  const [sa, sb] = strides as [number[], number[]];
  const rank = dims.length;
  const index = new Array<number>(rank).fill(0);
  let total = 1;
  for (const dim of dims) total *= dim;
  let offsetA = 0;
  let offsetB = 0;
  for (let visited = 0; visited < total; visited++) {
    visit(offsetA, offsetB);
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < dims[axis]!) {
        offsetA += sa[axis]!;
        offsetB += sb[axis]!;
        break;
      }
      index[axis] = 0;
      offsetA -= sa[axis]! * (dims[axis]! - 1);
      offsetB -= sb[axis]! * (dims[axis]! - 1);
    }
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
export function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return WasmBackend.create(options);
}
