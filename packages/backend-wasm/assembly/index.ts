/**
 * Entry of the `@gated/backend-wasm` module. Memory is imported (`env.memory`, shared in the
 * threaded builds); the host allocates every buffer in it, so nothing here allocates. Every
 * export takes byte addresses and element counts. The op-code enums are exported too: the host
 * reads them by name (src/abi.ts); the layouts both sides share are in abi.ts.
 */
export { adamStep } from './adam';
export { DType } from './common';
export { Binary, Unary, binary, cast, copyChunks, fill32, fill8, logicalNot, stridedCopy, unaryF32, unaryI32, where } from './elementwise';
export { packABytes, packedSize } from './gemm';
export { gather, scatterAdd } from './indexing';
export { lstmCell, lstmCellBackward } from './lstm-cell';
export { lstmSequenceBackwardScratch } from './lstm-backward';
export { lstmSequenceScratch } from './lstm-forward';
export { gruSequenceBackwardScratch } from './gru-backward';
export { gruSequenceScratch } from './gru-forward';
export { RandomKind, random } from './random';
export { ArgReduce, Reduce, argReduce, reduce } from './reduce';
export { job, shutdown, workerLoop } from './threads';

/** First address past the module's static data: the host's heap starts here. */
export function heapBase(): usize {
  return __heap_base;
}
