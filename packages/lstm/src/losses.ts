/**
 * Loss functions with PyTorch's semantics and names (`mse_loss`, `cross_entropy`, `nll_loss`,
 * `binary_cross_entropy_with_logits`), built from public ops so they run and differentiate on
 * every backend.
 */
import { checkOptions, describeValue, formatShape, GatedError, shapesEqual } from '@gated/backend-api';
import {
  add,
  arange,
  cast,
  div,
  gather,
  greaterEqual,
  less,
  logSoftmax,
  logSumExp,
  logicalAnd,
  mean,
  mul,
  neg,
  notEqual,
  reshape,
  square,
  stack,
  sub,
  sum,
  tidy,
  where,
  zerosLike,
  type Tensor,
} from '@gated/tensor';
import { assertLiveTensor } from '@gated/tensor/internal';

/** How per-element losses are combined: averaged (default), summed, or returned as they are. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface ReductionOptions {
  readonly reduction?: Reduction;
}

function reduce(op: string, losses: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case 'mean':
      return mean(losses);
    case 'sum':
      return sum(losses);
    case 'none':
      return losses;
    default:
      throw new GatedError(op, `reduction must be 'mean', 'sum' or 'none', got ${describeValue(reduction)}`);
  }
}

function checkReduction(op: string, reduction: string): void {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new GatedError(op, `reduction must be 'mean', 'sum' or 'none', got ${reduction}`);
  }
}

function checkFloatPair(op: string, input: Tensor, target: Tensor): void {
  assertLiveTensor(op, input);
  assertLiveTensor(op, target);
  if (input.dtype !== 'float32' || target.dtype !== 'float32') {
    throw new GatedError(op, `input and target must be float32, got ${input.dtype} and ${target.dtype}`);
  }
  if (!shapesEqual(input.shape, target.shape)) {
    throw new GatedError(op, `input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
}

/**
 * Mean squared error `mean((input − target)²)` (PyTorch's `mse_loss`).
 *
 * @example
 * ```ts
 * const loss = mseLoss(prediction, target); // a scalar
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkOptions('mseLoss', options);
  checkFloatPair('mseLoss', input, target);
  return tidy(() => reduce('mseLoss', square(sub(input, target)), options.reduction ?? 'mean'));
}

/** Options of {@link nllLoss} and {@link crossEntropy}. */
export interface ClassLossOptions extends ReductionOptions {
  /**
   * A target value that contributes nothing (neither loss nor gradient), e.g. padding. The mean
   * is taken over the other targets only (NaN when every target is ignored, as in PyTorch).
   * Default -100.
   */
  readonly ignoreIndex?: number;
}

/**
 * Negative log-likelihood of class indices (PyTorch's `nll_loss`): `input` holds
 * log-probabilities `[N, C]` (or `[C]` for one sample), `target` int32 class indices `[N]` (or
 * `[]`). Targets outside `[0, C)` other than `ignoreIndex` are an error (checked on backends with
 * synchronous reads; elsewhere they contribute 0).
 */
export function nllLoss(input: Tensor, target: Tensor, options: ClassLossOptions = {}): Tensor {
  checkOptions('nllLoss', options);
  const op = 'nllLoss';
  return classLoss(op, input, target, options, (x) => x);
}

/**
 * Cross entropy of logits `[N, C]` (or `[C]`) against int32 class indices `[N]` (or `[]`):
 * `nllLoss(logSoftmax(input), target)`, PyTorch's `cross_entropy` with class indices, including
 * `ignoreIndex`.
 *
 * @example
 * ```ts
 * const loss = crossEntropy(logits, tensor([2, 0, -100], { dtype: 'int32' })); // third ignored
 * ```
 */
export function crossEntropy(input: Tensor, target: Tensor, options: ClassLossOptions = {}): Tensor {
  checkOptions('crossEntropy', options);
  return classLoss('crossEntropy', input, target, options, (x) => logSoftmax(x, -1));
}

function classLoss(op: string, input: Tensor, target: Tensor, options: ClassLossOptions, toLogProbs: (x: Tensor) => Tensor): Tensor {
  assertLiveTensor(op, input);
  assertLiveTensor(op, target);
  if (input.dtype !== 'float32') throw new GatedError(op, `input must be float32, got ${input.dtype}`);
  if (target.dtype !== 'int32') throw new GatedError(op, `target must hold int32 class indices, got ${target.dtype}`);
  const single = input.rank === 1;
  if ((input.rank !== 1 && input.rank !== 2) || target.rank !== input.rank - 1 || (!single && target.shape[0] !== input.shape[0])) {
    throw new GatedError(
      op,
      `expected input [N, C] with target [N] (or input [C] with a scalar target), got input ${formatShape(input.shape)} and target ${formatShape(target.shape)}`,
    );
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new GatedError(op, `ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
  const classes = input.shape[input.rank - 1]!;
  const rows = single ? 1 : input.shape[0]!;
  checkTargets(op, target, classes, ignoreIndex);
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  return tidy(() => {
    const logProbs = reshape(toLogProbs(input), [rows * classes]);
    const targets = reshape(target, [rows]);
    const valid = notEqual(targets, ignoreIndex);
    const inRange = logicalAnd(valid, logicalAnd(greaterEqual(targets, 0), less(targets, classes)));
    const safe = where(inRange, targets, 0);
    const index = add(mul(arange(rows, undefined, 1, { dtype: 'int32' }), classes), safe);
    const picked = gather(logProbs, index, 0);
    const losses = where(valid, neg(picked), 0);
    if (reduction === 'none') return single ? reshape(losses, []) : losses;
    if (reduction === 'sum') return sum(losses);
    return div(sum(losses), sum(cast(valid, 'float32')));
  });
}

/** Checks class indices on the host where that is cheap (backends with synchronous reads). */
function checkTargets(op: string, target: Tensor, classes: number, ignoreIndex: number): void {
  if (!target.backend.caps.syncRead) return;
  const values = target.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= classes)) {
      throw new GatedError(op, `target ${String(v)} at flat index ${i} is not a class in [0, ${classes}) (nor ignoreIndex ${ignoreIndex})`);
    }
  }
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Weight of positive examples, broadcast against the last axis (PyTorch's `pos_weight`). */
  readonly posWeight?: Tensor;
}

/**
 * Binary cross entropy on logits (PyTorch's `binary_cross_entropy_with_logits`), computed
 * stably: `(1 − y)·x + (1 + (w − 1)·y)·log(1 + e^{−x})`, with `log(1 + e^{−x})` as a
 * log-sum-exp so that large |x| neither overflows nor loses its gradient.
 *
 * @example
 * ```ts
 * const loss = binaryCrossEntropyWithLogits(logits, labels); // labels are 0/1 floats
 * ```
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options);
  const op = 'binaryCrossEntropyWithLogits';
  checkFloatPair(op, input, target);
  const posWeight = options.posWeight;
  if (posWeight) {
    assertLiveTensor(op, posWeight);
    if (posWeight.dtype !== 'float32') throw new GatedError(op, `posWeight must be float32, got ${posWeight.dtype}`);
  }
  return tidy(() => {
    const softplusNeg = logSumExp(stack([zerosLike(input), neg(input)], 0), 0);
    const weight = posWeight ? add(1, mul(sub(posWeight, 1), target)) : null;
    const losses = add(mul(sub(1, target), input), weight ? mul(weight, softplusNeg) : softplusNeg);
    return reduce(op, losses, options.reduction ?? 'mean');
  });
}
