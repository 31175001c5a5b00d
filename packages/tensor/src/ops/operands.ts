/**
 * Turning op arguments into tensors: JavaScript numbers and booleans next to a tensor become
 * rank-0 tensors of that tensor's dtype on its backend (freed by the caller after the op), and
 * dtype checks shared by every op.
 */
import { GatedError, type Backend, type DType, type KernelTyping } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import { Tensor } from '../tensor.js';

/** A tensor, or a JavaScript scalar that takes the dtype of the tensor it is combined with. */
export type TensorLike = Tensor | number | boolean;

/**
 * Resolves a list of op arguments into tensors. Scalars become temporary rank-0 tensors of the
 * first tensor argument's dtype (float32 when every argument is a scalar); the caller disposes
 * the returned `temporaries` once the op has run.
 */
export function operands(op: string, args: readonly TensorLike[]): { tensors: Tensor[]; temporaries: Tensor[] } {
  const first = args.find((arg): arg is Tensor => arg instanceof Tensor);
  first?.assertLive(op);
  const dtype: DType = first?.dtype ?? (typeof args[0] === 'boolean' ? 'bool' : 'float32');
  const backend = first?.backend ?? ENGINE.backend();
  const temporaries: Tensor[] = [];
  const tensors = args.map((arg) => {
    if (arg instanceof Tensor) return arg;
    const made = scalarOn(op, backend, arg, dtype);
    temporaries.push(made);
    return made;
  });
  return { tensors, temporaries };
}

function scalarOn(op: string, backend: Backend, value: number | boolean, dtype: DType): Tensor {
  const number = Number(value);
  if (dtype === 'int32' && !Number.isInteger(number)) {
    throw new GatedError(op, `cannot combine an int32 tensor with the non-integer scalar ${number}; cast the tensor to float32 first`);
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
  t.assertLive(op);
  if (t.dtype !== 'float32') throw new GatedError(op, `expects float32 input, got ${t.dtype}`);
}
