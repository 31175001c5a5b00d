/**
 * `@gated/tensor/internal`: what the packages built on the engine need and users do not. The
 * public index (`@gated/tensor`) is what a program needs; this subpath serves
 *
 * - `@gated/autograd`: the recorder hook (`installRecorder`, `OpRecorder`) and the backward ops
 *   its rules call (`lstmCellBackward`, `lstmSequenceBackward`, `gruSequenceBackward`);
 * - the conformance suite, and anyone writing a fused kernel: the composites that define what a
 *   fused kernel must compute (`lstmCellComposite`, `lstmSequenceComposite`,
 *   `gruSequenceComposite`, their backwards, `adamStepComposite`). Differentiating a composite is
 *   also how to take second-order gradients through the recurrent ops.
 *
 * It follows the package's version like everything else, but it is shaped by those packages'
 * needs: expect it to change with them.
 *
 * @example
 * ```ts
 * import { lstmCellComposite } from '@gated/tensor/internal';
 * const { h, c } = lstmCellComposite(inputGates, hiddenGates, c0); // every op recorded one by one
 * ```
 */
export type { OpRecorder } from './engine.js';
export { installRecorder } from './registry.js';
export { adamStepComposite } from './ops/adam-step.js';
export {
  lstmCellBackward,
  lstmCellBackwardComposite,
  lstmCellComposite,
  type LstmCellBackwardArgs,
  type LstmCellBackwardResult,
} from './ops/lstm-cell.js';
export { lstmSequenceBackward, type LstmSequenceBackwardArgs, type LstmSequenceBackwardResult } from './ops/lstm-sequence.js';
export { lstmSequenceBackwardComposite, lstmSequenceComposite } from './ops/lstm-sequence-composite.js';
export { gruSequenceBackward, type GruSequenceBackwardArgs, type GruSequenceBackwardResult } from './ops/gru-sequence.js';
export { gruSequenceBackwardComposite, gruSequenceComposite } from './ops/gru-sequence-composite.js';
