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

/**
 * Byte offsets in the control block the host allocates once per backend (threads.ts says how
 * they are used): the job generation and done count, the barrier's count, generation and
 * sleepers, the idle sleepers, shutdown, the job's thread count and kind, whether thread 0 may
 * block, the spin count, then the arguments (`Limits.argSlots` slots of 8 bytes), the per-thread
 * tile scratch (`Limits.tileBytes` each, at 1024 = past the arguments), the work-claiming counters
 * (two sets of one per thread in its own 64-byte line, at tiles + 256 · 64) and the total size
 * (claims + 2 · 64 · 64).
 */
export enum ControlBlock {
  generation = 0, done = 4, barrierCount = 8, barrierGeneration = 12, sleepers = 16, shutdown = 20,
  threads = 24, kind = 28, mainCanWait = 32, spin = 36, barrierSleepers = 40,
  args = 64, tiles = 1024, claims = 17408, bytes = 25600,
}

/** The jobs `job()` runs on every thread. */
export enum Job {
  gemm = 1,
  lstmSequence = 2,
  lstmSequenceBackward = 3,
  gruSequence = 4,
  gruSequenceBackward = 5,
}

/**
 * Arguments of `Job.gemm`, C = A·B with B packed into panels (gemm.ts). A(i, k) is at
 * `a + i·rowStep + k·depthStep` (bytes), which covers row-major and transposed A; B is K×N (N×K
 * when `transposeB`) with `ldb` elements per row; C has `ldc`. `packed` is scratch for packed B
 * (`packedSize(k, n)` floats), already filled when `packedReady`; `packedA` is `packABytes()` of
 * scratch per thread.
 */
export enum GemmArg {
  a, b, c, m, n, k, rowStep, depthStep, ldb, transposeB, packed, packedReady, ldc, packedA,
}

/**
 * Arguments of `Job.lstmSequence` (lstm-forward.ts): the operands and outputs of `lstmSequence`
 * (`lengths` 0 when every sequence has length T; `weightHr` 0 without a projection, and then
 * `proj` equals `hidden`; `inference` 1 when `gates` and `cells` are not written, and then both
 * are 0) and `scratch`, `lstmSequenceScratch(batch, hidden, proj, threads)` bytes that the kernel
 * lays out itself.
 */
export enum LstmSequenceArg {
  inputGates, weightHh, h0, c0, lengths, reverse, steps, batch, hidden,
  output, h, c, gates, cells, scratch, proj, weightHr, inference,
}

/**
 * Arguments of `Job.lstmSequenceBackward` (lstm-backward.ts): the forward operands and outputs,
 * the output gradients, the gradients it writes, `hPrev` ([T, B, P]: the state each step started
 * from, written for the host's dW_hh product) and `scratch` (`lstmSequenceBackwardScratch`
 * bytes). With a projection (`weightHr` not 0, `proj` < `hidden`) it also writes `dProjected`
 * ([T, B, P]: each step's total gradient of h, 0 where padded) and `unprojected` ([T, B, H]: m =
 * o ⊙ tanh(c)) for the host's dW_hr product.
 */
export enum LstmSequenceBackwardArg {
  weightHh, h0, c0, lengths, reverse, steps, batch, hidden, output, gates, cells,
  dOutput, dh, dc, dInputGates, dh0, dc0, hPrev, scratch, proj, weightHr, dProjected, unprojected,
}

/**
 * Arguments of `Job.gruSequence` (gru-forward.ts): the operands and outputs of `gruSequence`
 * (`biasHn` and `lengths` 0 when absent; `inference` 1 when `gates` and `hiddenN` are not
 * written, and then both are 0) and `scratch`, `gruSequenceScratch(batch, hidden, threads)` bytes.
 */
export enum GruSequenceArg {
  inputGates, weightHh, biasHn, h0, lengths, reverse, steps, batch, hidden,
  output, h, gates, hiddenN, scratch, inference,
}

/**
 * Arguments of `Job.gruSequenceBackward` (gru-backward.ts): the forward operands and outputs, the
 * output gradients and the gradients it writes; `dRecurrent` ([T, B, 3H]: the gradient of
 * `h W_hhᵀ + b_hh`) and `hPrev` ([T, B, H]) for the host's dW_hh product, and `scratch`
 * (`gruSequenceBackwardScratch` bytes). `dBiasHn` is summed by the job.
 */
export enum GruSequenceBackwardArg {
  weightHh, h0, lengths, reverse, steps, batch, hidden, output, gates, hiddenN,
  dOutput, dh, dInputGates, dh0, dBiasHn, dRecurrent, hPrev, scratch,
}
