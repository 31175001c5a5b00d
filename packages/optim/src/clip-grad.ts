/**
 * Gradient clipping: by the global norm of all gradients (PyTorch's `clip_grad_norm_`) and by
 * value (`clip_grad_value_`). Both change `.grad` with `assign` semantics, as PyTorch changes it in
 * place.
 *
 * No readback. The norm and the clipping coefficient `min(1, maxNorm / (norm + 1e-6))` are computed
 * on the device and the gradients are always multiplied by the coefficient (as PyTorch does, to
 * avoid a device sync), so clipping never waits for the GPU. The total norm comes back as a rank-0
 * tensor you may read later or never. Only `errorIfNonfinite: true` must look at the norm before
 * touching the gradients, so that form is async.
 */
import { checkOptions, describeValue, GatedError } from '@gated/backend-api';
import { noGrad } from '@gated/autograd';
import { Tensor, abs, add, clip, div, keep, max, minimum, mul, pow, scalar, sqrt, square, stack, sum, tidy } from '@gated/tensor';
import { assertLiveTensor } from '@gated/tensor/internal';

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Order p of the norm: any p > 0, or `Infinity` for the largest absolute value (default 2). */
  readonly normType?: number;
  /**
   * Throw (before changing any gradient) when the total norm is NaN or ±∞, as PyTorch's
   * `error_if_nonfinite=True`. This needs the norm's value, so `clipGradNorm` then returns a
   * Promise. Default false: the gradients are scaled by the non-finite norm like PyTorch does.
   */
  readonly errorIfNonfinite?: boolean;
}

function gradientsOf(op: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  const grads: Tensor[] = [];
  list.forEach((param: unknown, index) => {
    if (!(param instanceof Tensor)) throw new GatedError(op, `params[${index}] is not a tensor`);
    if (param.grad === null) return;
    assertLiveTensor(op, param.grad);
    grads.push(param.grad);
  });
  return grads;
}

function checkNormType(normType: number): void {
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType <= 0) {
    throw new GatedError('clipGradNorm', `normType must be a number > 0 or Infinity, got ${describeValue(normType)}`);
  }
}

/** The total p-norm of all gradients, as a rank-0 tensor (0 when there are none). */
function totalNorm(grads: readonly Tensor[], p: number): Tensor {
  if (p === Infinity) {
    const maxima = grads.filter((g) => g.size > 0).map((g) => max(abs(g)));
    if (maxima.length === 0) return scalar(0);
    return maxima.length === 1 ? maxima[0]! : max(stack(maxima));
  }
  const powered = (g: Tensor): Tensor => {
    if (p === 1) return abs(g);
    if (p === 2) return square(g);
    return pow(abs(g), p);
  };
  const sums = grads.map((g) => sum(powered(g)));
  if (sums.length === 0) return scalar(0);
  const total = sums.length === 1 ? sums[0]! : sum(stack(sums));
  if (p === 1) return total;
  if (p === 2) return sqrt(total);
  return pow(total, 1 / p);
}

function scaleBy(grads: readonly Tensor[], norm: Tensor, maxNorm: number): void {
  noGrad(() => {
    tidy(() => {
      const coefficient = minimum(div(maxNorm, add(norm, 1e-6)), 1);
      for (const grad of grads) grad.assign(mul(grad, coefficient));
    });
  });
}

/**
 * Rescales the gradients of `params` so that their total p-norm (all gradients taken together as
 * one vector) is at most `maxNorm`: every `.grad` is multiplied by `min(1, maxNorm / (norm + 1e-6))`
 * (PyTorch's `torch.nn.utils.clip_grad_norm_`). Parameters without a gradient are ignored.
 *
 * Returns the total norm before clipping as a rank-0 float32 tensor that you own. The call is
 * synchronous and reads nothing back from the device. With `errorIfNonfinite: true` it returns a
 * Promise: the norm is read first, and a NaN or infinite norm rejects with a `GatedError` leaving
 * the gradients untouched.
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);      // no GPU sync
 * optimizer.step();
 * if (step % 100 === 0) console.log(await norm.item());
 * norm.dispose();
 *
 * const checked = await clipGradNorm(params, 1.0, { errorIfNonfinite: true }); // reads the norm
 * ```
 */
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  maxNorm: number,
  options?: ClipGradNormOptions & { readonly errorIfNonfinite?: false },
): Tensor;
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  maxNorm: number,
  options: ClipGradNormOptions & { readonly errorIfNonfinite: true },
): Promise<Tensor>;
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, options?: ClipGradNormOptions): Tensor | Promise<Tensor>;
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): Tensor | Promise<Tensor> {
  const op = 'clipGradNorm';
  checkOptions(op, options);
  const normType = options.normType ?? 2;
  checkNormType(normType);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new GatedError(op, `maxNorm must be a number >= 0, got ${describeValue(maxNorm)}`);
  }
  const grads = gradientsOf(op, params);
  const norm = noGrad(() => tidy(() => totalNorm(grads, normType)));
  if (options.errorIfNonfinite !== true) {
    try {
      scaleBy(grads, norm, maxNorm);
    } catch (error) {
      norm.dispose();
      throw error;
    }
    return norm;
  }
  // The norm must outlive whatever synchronous scope is current while its value is read.
  keep(norm);
  const checked = async (): Promise<Tensor> => {
    try {
      const value = await norm.item();
      if (!Number.isFinite(value)) {
        throw new GatedError(
          op,
          `the total norm of order ${normType} of the gradients is ${value}, so they cannot be clipped; ` +
            'pass errorIfNonfinite: false to scale them by the non-finite norm anyway',
        );
      }
      scaleBy(grads, norm, maxNorm);
      // A fresh, un-kept handle on the value, owned by the caller (and by their scope, if any).
      return norm.detach();
    } finally {
      norm.dispose();
    }
  };
  return checked();
}

/**
 * Clamps every gradient of `params` into `[-clipValue, clipValue]` (PyTorch's
 * `torch.nn.utils.clip_grad_value_`). Parameters without a gradient are ignored; NaN stays NaN.
 *
 * @example
 * ```ts
 * loss.backward();
 * clipGradValue(model.parameters(), 0.5);
 * optimizer.step();
 * ```
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) {
    throw new GatedError(op, `clipValue must be a number >= 0, got ${describeValue(clipValue)}`);
  }
  const grads = gradientsOf(op, params);
  noGrad(() => {
    tidy(() => {
      for (const grad of grads) grad.assign(clip(grad, -clipValue, clipValue));
    });
  });
}
