/**
 * The Backend contract, version 1 (revision 1.1): everything a compute backend implements so
 * that the tensor engine, autodiff, layers and optimizers run on it unchanged. Revision 1.1
 * (docs/decisions/0017) only added optional kernels and optional arguments, each announced in
 * `caps.fused`: a backend written for 1.0 is a valid 1.1 backend, unchanged.
 *
 * Ownership. Every method that returns a {@link DataHandle} returns a new buffer that the caller
 * owns and must eventually pass to {@link Backend.free} exactly once. Inputs are borrowed: a
 * kernel never frees or mutates its inputs (the one exception, {@link Backend.adamStep}, says so).
 *
 * Layout. Kernels see only contiguous, row-major inputs ({@link TensorSpec}); views (reshape,
 * transpose, slice, expand) live in the tensor engine, which materialises them with
 * {@link Backend.stridedCopy} before calling a kernel.
 *
 * Validation. A backend only computes: `checkedBackend` (checked-backend.ts) stands in front of
 * every backend the engine adopts and refuses bad calls (dead or foreign handles, dtypes, shapes,
 * axes, unknown ops) with a GatedError before the backend sees them, so a kernel may trust its
 * arguments. Checks that read buffer contents (gather indices, LSTM lengths) are the backend's,
 * where they are cheap (see {@link Backend.gather}).
 *
 * Sync versus async. Every compute method is synchronous *to call*: it enqueues work and returns
 * the output handle at once, so a GPU backend never blocks. Only reading back is asynchronous
 * ({@link Backend.read}); {@link Backend.readSync} exists only where `caps.syncRead` is true.
 *
 * Numeric rules (docs/adding-a-backend.md, "Numeric rules"; the conformance suite checks each in
 * its `numeric rules` area and names the rule when one fails):
 * - float32-exact storage: a float32 result is rounded to float32 once, when the kernel stores
 *   it, so the next kernel reads exactly what `read` returns. Computing in doubles is fine;
 *   keeping doubles between kernels (rounding only on read) is not.
 * - NaN propagates: a NaN operand gives NaN (IEEE 754), in `maximum`/`minimum`, the `max`/`min`
 *   reductions and `matmul` too (`NaN·0` and `∞·0` are NaN); comparisons with NaN are false,
 *   `notEqual` true; `argmax`/`argmin` count NaN as the extreme.
 * - Integer conversions: float32 → int32 truncates toward zero, NaN → 0, saturating at the int32
 *   range; int32 → float32 rounds to nearest, ties to even; anything → bool is `x !== 0` (NaN →
 *   true); `round` takes halves to even; int32 add, sub, mul, neg, abs, square, sum and prod
 *   wrap modulo 2^32.
 */
import type { DType, TypedArray } from './dtype.js';
import type { AdamStepInputs, LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellInputs, LstmCellOutputs } from './fused.js';
import type { GruSequenceBackwardInputs, GruSequenceBackwardOutputs, GruSequenceInputs, GruSequenceOutputs } from './fused-sequence.js';
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs, LstmSequenceInputs, LstmSequenceOutputs } from './fused-sequence.js';
import type { ArgReduceOp, BinaryOp, RandomRequest, ReduceOp, UnaryOp } from './ops.js';
import type { Shape } from './shape.js';

/**
 * The contract version this package describes. A backend reports the version it implements; the
 * engine refuses another. Additions that every existing backend satisfies by doing nothing
 * (optional kernels and arguments behind `caps.fused`) keep the version: see
 * {@link SPEC_REVISION}.
 */
export const SPEC_VERSION = 1 as const;

/**
 * The revision of version 1 this package describes, for documentation and reports: `'1.1'`
 * added `gruSequence`, the LSTM projection and the sequence kernels' inference mode (all
 * optional, docs/decisions/0017). Backends do not report it; their `caps.fused` flags say which
 * of the additions they implement.
 */
export const SPEC_REVISION = '1.1' as const;

/**
 * An opaque reference to a buffer owned by a backend. Backends return their own objects (which
 * carry whatever they need); the engine reads only `dtype` and `size`, and otherwise compares
 * handles by identity. A handle is valid from the call that returned it until it is freed.
 */
export interface DataHandle {
  /** Element type of the buffer. */
  readonly dtype: DType;
  /** Number of elements (not bytes). */
  readonly size: number;
}

/** A contiguous, row-major tensor as a kernel sees it. `sizeOf(shape) === data.size`. */
export interface TensorSpec {
  readonly data: DataHandle;
  readonly shape: Shape;
}

/** A strided view of a buffer, for {@link Backend.stridedCopy}. Strides and offset are in elements. */
export interface StridedSpec {
  readonly data: DataHandle;
  readonly shape: Shape;
  /** One stride per axis; 0 on broadcast (expanded) axes. */
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Live storage of a backend, for leak checks and `memory()` reports. */
export interface BackendMemory {
  /** Buffers allocated and not yet freed (pooled buffers are not counted). */
  readonly buffers: number;
  /** Bytes held by those buffers. */
  readonly bytes: number;
  /** Bytes kept in a reuse pool after being freed, if the backend pools. */
  readonly pooledBytes?: number;
}

/** Optional fused kernels a backend offers; the engine falls back to a composite for the rest. */
export interface FusedCaps {
  readonly lstmCell?: boolean;
  readonly lstmSequence?: boolean;
  /**
   * v1.1: `lstmSequence` and its backward accept `weightHr` (PyTorch's projection). Without this
   * flag the engine runs projected layers on the composite, and the checked layer refuses a
   * `weightHr` (a 1.0 kernel would ignore it and compute something else).
   */
  readonly lstmProjection?: boolean;
  /** v1.1: `gruSequence` and `gruSequenceBackward`. */
  readonly gruSequence?: boolean;
  readonly adamStep?: boolean;
}

/** What a backend can do beyond the required core. */
export interface BackendCaps {
  /** True when {@link Backend.readSync} is implemented (CPU backends); false on WebGPU. */
  readonly syncRead: boolean;
  /** The fused kernels this backend implements. */
  readonly fused: FusedCaps;
  /** Worker threads the backend computes with (1 for single-threaded backends). */
  readonly threads?: number;
}

/**
 * What a backend reports about how it runs (its build, threads, device), for logs, reports and
 * benchmarks: plain values under keys each backend documents (`@gated/backend-wasm`:
 * `WasmBackendInfo`). Never needed to compute.
 *
 * @example
 * ```ts
 * import { getBackend } from '@gated/tensor';
 *
 * console.log(getBackend().info); // on wasm: { simd: 'relaxed', threads: 2, requestedThreads: 2, threadsFallback: null }
 * ```
 */
export interface BackendInfo {
  readonly [key: string]: string | number | boolean | null;
}

/**
 * A compute backend. Implement the storage methods and the required compute core; add fused
 * kernels when you have something faster than the engine's composite fallback, and announce them
 * in `caps.fused`. Prove the implementation with `describeBackend` from
 * `@gated/backend-conformance` (see docs/adding-a-backend.md).
 */
export interface Backend {
  /** The contract version implemented; the engine refuses a backend of another version. */
  readonly specVersion: typeof SPEC_VERSION;
  /** Short identifier, e.g. `ts`, `wasm`, `webgpu`. */
  readonly name: string;
  readonly caps: BackendCaps;
  /** Optional description of how this backend runs (see {@link BackendInfo}); fixed after creation. */
  readonly info?: BackendInfo;

  // ---- storage -------------------------------------------------------------------------------

  /** Allocates an uninitialised buffer of `size` elements. The caller owns it. */
  alloc(dtype: DType, size: number): DataHandle;
  /**
   * Copies `values` into `handle` starting at element `offset` (0 by default). Synchronous to
   * call; on a GPU the copy is queued before any later kernel. `values` is not retained.
   */
  write(handle: DataHandle, values: TypedArray, offset?: number): void;
  /** Resolves to a fresh host copy of the whole buffer (the caller owns the array). */
  read(handle: DataHandle): Promise<TypedArray>;
  /** Synchronous read; present only when `caps.syncRead`. Returns a fresh copy. */
  readSync?(handle: DataHandle): TypedArray;
  /** Releases a buffer. The handle must not be used again. Freeing twice is a bug the backend may report. */
  free(handle: DataHandle): void;
  /** Resolves when every queued kernel has finished: the barrier benchmarks time against. */
  sync(): Promise<void>;
  /** Live buffers and bytes, for leak checks. */
  memory(): BackendMemory;
  /** Optional counters, e.g. kernels dispatched since creation (reported by the benchmarks). */
  counters?(): Readonly<Record<string, number>>;
  /** Releases everything the backend holds (workers, devices, pools). The backend is unusable afterwards. */
  dispose(): void;

  // ---- required compute core: each returns a new contiguous buffer the caller owns ----------

  /** A buffer of `size` elements all equal to `value` (bools: 0 or 1). */
  fill(dtype: DType, size: number, value: number): DataHandle;
  /**
   * Converts dtype: float→int32 truncates toward zero, NaN → 0, saturating at the int32 range;
   * int32→float32 rounds to nearest, ties to even; anything→bool is `x !== 0` (NaN → true).
   */
  cast(x: TensorSpec, dtype: DType): DataHandle;
  /**
   * Elementwise `op(x)`; dtypes per `UNARY_TYPING`. NaN propagates as in IEEE 754; `round` takes
   * halves to even; int32 `neg`, `abs` and `square` wrap modulo 2^32.
   */
  unary(op: UnaryOp, x: TensorSpec): DataHandle;
  /**
   * Elementwise `op(a, b)` with numpy broadcasting to `outShape`; both inputs share a dtype.
   * int32 add, sub and mul wrap modulo 2^32. `pow` follows C's `powf` (and PyTorch), not
   * JavaScript's `Math.pow`: `pow(1, y)` and `pow(x, ±0)` are 1 for every y and x (NaN included)
   * and `pow(-1, ±∞)` is 1.
   */
  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle;
  /** `cond ? a : b` elementwise; `cond` is bool, `a` and `b` share a dtype; all broadcast to `outShape`. */
  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle;
  /**
   * Reduces the sorted, distinct `axes`; the result has those axes removed. Empty reductions
   * give the identity (sum 0, prod 1); the engine never asks for max/min over zero elements.
   * max and min propagate NaN. int32 sum and prod wrap modulo 2^32.
   */
  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle;
  /**
   * Index (int32) of the largest (smallest) element along `axis`, which is removed from the
   * shape. NaN counts as larger (and smaller) than any number; ties resolve to the first index.
   */
  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle;
  /**
   * Batched matrix product of float32 tensors of rank ≥ 2: `a` is [...batchA, M, K] ([..., K, M]
   * when `transposeA`), `b` is [...batchB, K, N] ([..., N, K] when `transposeB`); batch axes
   * broadcast to `outShape`'s leading axes; the result is [...batch, M, N].
   */
  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle;
  /** Materialises a strided view (any integer strides, including 0) into a contiguous buffer. */
  stridedCopy(x: StridedSpec): DataHandle;
  /** Joins inputs of one dtype along `axis`; `outShape` is their joined shape. */
  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle;
  /**
   * Selects along `axis` by int32 `indices`: the result has shape
   * `x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]`. Indices outside `[0, x.shape[axis])`
   * must throw a GatedError on backends that can check cheaply; others write 0.
   */
  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle;
  /**
   * The adjoint of gather: a zero buffer of `outShape` into which each slice of `updates`
   * (float32 or int32) is added at position `indices[j]` along `axis` (repeated indices
   * accumulate). Out-of-range indices are handled as in `gather`: a GatedError where the backend
   * can check cheaply, else the update is dropped.
   */
  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle;
  /** A float32 fill from the shared random stream (see `randomValue` for the exact recipe). */
  random(request: RandomRequest): DataHandle;

  // ---- optional fused kernels (announce in caps.fused) ---------------------------------------

  /** One LSTM step's pointwise math (PyTorch's `_thnn_fused_lstm_cell`). */
  lstmCell?(inputs: LstmCellInputs): LstmCellOutputs;
  /** Backward of {@link Backend.lstmCell}. */
  lstmCellBackward?(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs;
  /** A whole single-direction LSTM layer over the sequence, with no readback inside. */
  lstmSequence?(inputs: LstmSequenceInputs): LstmSequenceOutputs;
  /** Backward of {@link Backend.lstmSequence}. */
  lstmSequenceBackward?(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs;
  /** v1.1: a whole single-direction GRU layer over the sequence (PyTorch's equations), with no readback inside. */
  gruSequence?(inputs: GruSequenceInputs): GruSequenceOutputs;
  /** v1.1: backward of {@link Backend.gruSequence}. */
  gruSequenceBackward?(inputs: GruSequenceBackwardInputs): GruSequenceBackwardOutputs;
  /** One Adam/AdamW update, in place on `param`, `m`, `v` and `vMax` (the only mutating kernel). */
  adamStep?(inputs: AdamStepInputs): void;
}

/** Creates a backend; may be async (WebGPU requests an adapter, wasm compiles its module). */
export type BackendFactory = () => Backend | Promise<Backend>;
