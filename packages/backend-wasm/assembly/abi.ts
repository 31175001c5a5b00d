/**
 * The structural ABI between the host (`src/`) and the kernels (`assembly/`): the control block's
 * layout, the jobs, and the argument slots of each job. This one file is compiled by both sides:
 * asc builds it into the module, and the host imports it (`src/host.ts`), so neither side can
 * drift from the other. It therefore holds only what AssemblyScript and TypeScript both accept:
 * enums of integer literals.
 *
 * Op codes are not here: each kernel family declares its own (`Unary` and `Binary` in
 * elementwise.ts, `Reduce`, `ArgReduce`, `RandomKind`, `DType`) next to the switch that reads
 * them, exports them from the module, and the host reads them by name when it loads the module
 * (`src/abi.ts`), refusing a module that lacks one of backend-api's ops.
 */

/** Limits the control block is sized for. */
export enum Limits {
  /** Most threads one backend runs (the tile scratch and claim counters have room for this many). */
  maxThreads = 64,
  /** Argument slots of a job, 8 bytes each (an i32 in the low half, or an f64). */
  argSlots = 64,
  /** Tile scratch per thread, bytes. */
  tileBytes = 256,
}

/** Byte offsets in the control block the host allocates once per backend (see threads.ts). */
export enum ControlBlock {
  /** Job generation: bumped to start a job (workers wait on it). */
  generation = 0,
  /** Workers that finished the current job. */
  done = 4,
  /** Threads waiting at the current barrier, and the barrier's generation. */
  barrierCount = 8,
  barrierGeneration = 12,
  /** Workers asleep in their idle loop (the host notifies only when there are some). */
  sleepers = 16,
  /** Non-zero: workers leave their loop. */
  shutdown = 20,
  /** Threads taking part in the current job. */
  threads = 24,
  /** The current job (`Job`). */
  kind = 28,
  /** Whether thread 0 may block in `memory.atomic.wait32` (not on a browser's main thread). */
  mainCanWait = 32,
  /** Spin iterations before a thread sleeps. */
  spin = 36,
  /** Threads asleep in a barrier (the thread that releases it wakes them). */
  barrierSleepers = 40,
  /** The job's arguments: `Limits.argSlots` slots of 8 bytes. */
  args = 64,
  /** Per-thread tile scratch: `Limits.tileBytes` bytes per thread (args + 64 · 8 + 448 free). */
  tiles = 1024,
  /** Work-claiming counters: two sets of one per thread, each in its own 64-byte line (tiles + 256 · 64). */
  claims = 17408,
  /** Size of the control block (claims + 2 · 64 · 64). */
  bytes = 25600,
}

/** The jobs `job()` runs on every thread. */
export enum Job {
  gemm = 1,
  lstmSequence = 2,
  lstmSequenceBackward = 3,
}

/** Arguments of `Job.gemm`: C = A·B with B packed into panels (see gemm.ts). */
export enum GemmArg {
  /** A, addressed through `rowStep` and `depthStep` (bytes), which covers row-major and transposed A. */
  a,
  /** B (K×N, or N×K when `transposeB`) with `ldb` elements per row. */
  b,
  /** C, `ldc` elements per row. */
  c,
  m,
  n,
  k,
  rowStep,
  depthStep,
  ldb,
  transposeB,
  /** Scratch for packed B (`packedSize(k, n)` floats); `packedReady` skips packing it again. */
  packed,
  packedReady,
  ldc,
  /** Scratch for packed A: `packABytes()` per thread. */
  packedA,
}

/** Arguments of `Job.lstmSequence` (lstm-forward.ts): the operands and outputs of `lstmSequence`. */
export enum LstmSequenceArg {
  inputGates,
  weightHh,
  h0,
  c0,
  /** 0 when every sequence has length T. */
  lengths,
  reverse,
  steps,
  batch,
  hidden,
  output,
  h,
  c,
  gates,
  cells,
  /** `lstmSequenceScratch(batch, hidden, threads)` bytes, laid out by the kernel. */
  scratch,
}

/** Arguments of `Job.lstmSequenceBackward` (lstm-backward.ts). */
export enum LstmSequenceBackwardArg {
  weightHh,
  h0,
  c0,
  lengths,
  reverse,
  steps,
  batch,
  hidden,
  output,
  gates,
  cells,
  dOutput,
  dh,
  dc,
  dInputGates,
  dh0,
  dc0,
  /** [T, B, H]: the state each step started from, written for the host's dW_hh product. */
  hPrev,
  /** `lstmSequenceBackwardScratch(batch, hidden, threads)` bytes, laid out by the kernel. */
  scratch,
}
