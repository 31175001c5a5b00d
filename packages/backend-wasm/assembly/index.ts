/**
 * Entry of the `@gated/backend-wasm` module. Memory is imported (`env.memory`, shared in the
 * threaded builds); the host allocates every buffer in it, so nothing here allocates. Every
 * export takes byte addresses and element counts.
 */
export { adamStep } from './adam';
export { binary, cast, copyChunks, fill32, fill8, logicalNot, normalizeBool, stridedCopy, unaryF32, unaryI32, where } from './elementwise';
export { packABytes, packB, packedSize } from './gemm';
export { checkIndices, gather, scatterAdd } from './indexing';
export { lstmBackwardScratch, lstmCell, lstmCellBackward, lstmForwardScratch, packedRows } from './lstm';
export { random } from './random';
export { argReduce, reduce } from './reduce';
export { job, shutdown, workerLoop } from './threads';

/** First address past the module's static data: the host's heap starts here. */
export function heapBase(): usize {
  return __heap_base;
}
