/**
 * The functions the kernel module exports (assembly/index.ts), as the host calls them: addresses
 * are byte offsets into linear memory, sizes are element counts, booleans are 0 or 1, op and
 * dtype codes are the module's own (read by `readCodes` in abi.ts).
 */
export interface KernelExports {
  heapBase(): number;
  fill32(out: number, count: number, bits: number): void;
  fill8(out: number, count: number, value: number): void;
  cast(from: number, to: number, out: number, x: number, count: number): void;
  unaryF32(op: number, out: number, x: number, count: number): void;
  unaryI32(op: number, out: number, x: number, count: number): void;
  logicalNot(out: number, x: number, count: number): void;
  binary(op: number, dtype: number, out: number, a: number, b: number, plan: number): void;
  where(width: number, out: number, cond: number, a: number, b: number, plan: number): void;
  stridedCopy(width: number, out: number, x: number, plan: number): void;
  copyChunks(out: number, outRowBytes: number, x: number, chunkBytes: number, outer: number): void;
  reduce(op: number, dtype: number, out: number, outSize: number, x: number, plan: number, acc: number): void;
  argReduce(op: number, dtype: number, out: number, x: number, outer: number, n: number, inner: number, best: number): void;
  gather(width: number, out: number, x: number, outer: number, size: number, inner: number, indices: number, count: number): void;
  scatterAdd(
    dtype: number,
    out: number,
    updates: number,
    outer: number,
    size: number,
    inner: number,
    indices: number,
    count: number,
    acc: number,
  ): void;
  random(kind: number, out: number, count: number, key0: number, key1: number, p0: number, p1: number): void;
  adamStep(
    param: number,
    grad: number,
    m: number,
    v: number,
    vMax: number,
    count: number,
    stepSize: number,
    biasCorrection2Sqrt: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decay: number,
    coupled: number,
    maximize: number,
  ): void;
  lstmCell(
    inputGates: number,
    hiddenGates: number,
    c: number,
    batch: number,
    hidden: number,
    hOut: number,
    cOut: number,
    gates: number,
    scratch: number,
  ): void;
  lstmCellBackward(
    dh: number,
    dc: number,
    c: number,
    cNew: number,
    gates: number,
    batch: number,
    hidden: number,
    dGates: number,
    dcPrev: number,
    scratch: number,
  ): void;
  /** Bytes of scratch `Job.lstmSequence` needs (it lays them out itself); `proj` equals `hidden` without a projection. */
  lstmSequenceScratch(batch: number, hidden: number, proj: number, threads: number): number;
  /** Bytes of scratch `Job.lstmSequenceBackward` needs. */
  lstmSequenceBackwardScratch(batch: number, hidden: number, proj: number, threads: number): number;
  /** Bytes of scratch `Job.gruSequence` needs. */
  gruSequenceScratch(batch: number, hidden: number, threads: number): number;
  /** Bytes of scratch `Job.gruSequenceBackward` needs. */
  gruSequenceBackwardScratch(batch: number, hidden: number, threads: number): number;
  /** Floats of the packed form of a K×N matrix (the GEMM's packed B). */
  packedSize(k: number, n: number): number;
  /** Bytes of packed A each thread of a GEMM job needs. */
  packABytes(): number;
  job(controlBlock: number): void;
  shutdown(controlBlock: number): void;
  workerLoop(controlBlock: number, thread: number, seen: number): void;
}
