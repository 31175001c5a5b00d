/**
 * Turning op arguments into tensors: JavaScript numbers and booleans next to a tensor become
 * rank-0 tensors of that tensor's dtype on its backend (freed by the caller after the op), and
 * dtype checks shared by every op.
 */
import { GatedError, describeValue, int32Problem, type Backend, type DType, type KernelTyping } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

/** A tensor, or a JavaScript scalar that takes the dtype of the tensor it is combined with. */
export type TensorLike = Tensor | number | boolean;

/**
 * Resolves a list of op arguments into tensors. Scalars become temporary rank-0 tensors of the
 * first tensor argument's dtype (float32 when every argument is a scalar); the caller disposes
 * the returned `temporaries` once the op has run.
 */
export function operands(op: string, args: readonly TensorLike[]): { tensors: Tensor[]; temporaries: Tensor[] } {
  const first = args.find((arg): arg is Tensor => arg instanceof Tensor);
  if (first !== undefined) assertLiveTensor(op, first);
  const dtype: DType = first?.dtype ?? (typeof args[0] === 'boolean' ? 'bool' : 'float32');
  const backend = first?.backend ?? ENGINE.backend();
  const temporaries: Tensor[] = [];
  try {
    const tensors = args.map((arg) => {
      if (arg instanceof Tensor) return arg;
      const made = scalarOn(op, backend, arg, dtype);
      temporaries.push(made);
      return made;
    });
    return { tensors, temporaries };
  } catch (error) {
    // A later argument refused: free the scalars made for the earlier ones.
    for (const t of temporaries) t.dispose();
    throw error;
  }
}

function scalarOn(op: string, backend: Backend, value: number | boolean, dtype: DType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new GatedError(op, `expects tensors, numbers or booleans, got ${describeValue(value)}`);
  }
  const number = Number(value);
  // A number next to an int32 tensor is taken exactly, as tensor() takes it (decisions/0019).
  const problem = dtype === 'int32' ? int32Problem(number) : null;
  if (problem !== null) {
    const what = Number.isInteger(number) ? 'the scalar' : 'the non-integer scalar';
    throw new GatedError(op, `cannot combine an int32 tensor with ${what} ${number} (it ${problem}); cast the tensor to float32 first`);
  }
  const stored = dtype === 'bool' ? Number(number !== 0) : number;
  return ENGINE.wrap(backend, backend.fill(dtype, 1, stored), [], dtype);
}

/** Runs `fn` with resolved operands and frees the temporary scalars afterwards. */
export function withOperands<T>(op: string, args: readonly TensorLike[], fn: (tensors: Tensor[]) => T): T {
  const { tensors, temporaries } = operands(op, args);
  try {
    return fn(tensors);
  } finally {
    for (const t of temporaries) t.dispose();
  }
}

/** Throws unless `dtype` is one the kernel accepts. */
export function assertTyping(op: string, typing: KernelTyping, dtype: DType): void {
  if (!typing.inputs.includes(dtype)) {
    throw new GatedError(op, `expects ${typing.inputs.join(' or ')} input, got ${dtype}`);
  }
}

/** Throws unless every tensor has the same dtype. */
export function assertSameDType(op: string, tensors: readonly Tensor[]): void {
  const first = tensors[0];
  for (const t of tensors) {
    if (first && t.dtype !== first.dtype) {
      throw new GatedError(op, `dtype mismatch: ${tensors.map((x) => x.dtype).join(' vs ')}; cast one side first`);
    }
  }
}

/** Throws unless `t` is live and float32. */
export function assertFloat(op: string, t: Tensor): void {
  assertLiveTensor(op, t);
  if (t.dtype !== 'float32') throw new GatedError(op, `expects float32 input, got ${t.dtype}`);
}
