/**
 * The user-facing autodiff API: functional `grad` / `valueAndGrad` (JAX style) over tensors or
 * nested arrays and objects of tensors, and the PyTorch style through `requiresGrad`,
 * `tensor.backward()` and `.grad`, plus `noGrad`.
 */
import { checkOptions, describeValue, GatedError } from '@gated/backend-api';
import { Tensor, dispose, keep, reshape, setGradEnabled, tidy, zerosLike } from '@gated/tensor';
import { installRecorder, assertLiveTensor } from '@gated/tensor/internal';
import { TAPE, type BackwardOptions } from './tape.js';

let installed = false;
/** How many `valueAndGrad` calls are evaluating their function right now (nesting depth). */
let transformDepth = 0;

/**
 * Connects the tape to the tensor engine. Importing `@gated/autograd` does it once; calling it
 * again is harmless. After this, ops on tensors with `requiresGrad` are recorded.
 */
export function installAutograd(): void {
  if (installed) return;
  installRecorder(TAPE);
  installed = true;
}

/**
 * Runs `fn` without recording anything for autodiff (PyTorch's `torch.no_grad()`): for
 * inference and for parameter updates. `fn` must be synchronous.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new GatedError('noGrad', 'the function returned a Promise: noGrad is synchronous');
    }
    return result;
  } finally {
    setGradEnabled(previous);
  }
}

/** Runs backward from `output` (PyTorch's `output.backward(seed, retain_graph, create_graph)`). */
export function backward(output: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  checkOptions('backward', options);
  installAutograd();
  TAPE.backward(output, seed, options);
}

/** A tensor, or arrays and plain objects nesting tensors (what `grad` differentiates with respect to). */
export type TensorTree = Tensor | readonly TensorTree[] | { readonly [key: string]: TensorTree };

function mapTree(tree: unknown, fn: (t: Tensor) => Tensor, op = 'grad'): TensorTree {
  if (tree instanceof Tensor) return fn(tree as Tensor);
  if (Array.isArray(tree)) return tree.map((item) => mapTree(item, fn, op));
  if (tree !== null && typeof tree === 'object') {
    return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, mapTree(value, fn, op)]));
  }
  throw new GatedError(op, `can only differentiate with respect to tensors, or arrays and objects of tensors; got ${describeValue(tree)}`);
}

function leaves(op: string, tree: unknown, into: Tensor[] = []): Tensor[] {
  mapTree(
    tree,
    (t) => {
      into.push(t);
      return t;
    },
    op,
  );
  return into;
}

/** What `valueAndGrad(f)` returns when called. */
export interface ValueAndGrad<T> {
  /** `f`'s (scalar) output. */
  readonly value: Tensor;
  /** Gradients, in the same structure as the first argument. */
  readonly grads: T;
}

export interface GradOptions {
  /**
   * The cotangent for a non-scalar output (its shape): what the vector-Jacobian product is taken
   * with. Scalar outputs use 1.
   */
  readonly seed?: Tensor;
}

/**
 * Transforms `f` into a function returning `f`'s value and its gradient with respect to `f`'s
 * first argument (a tensor, or nested arrays/objects of tensors). Further arguments are passed
 * through untouched. Works inside another `grad` for higher-order derivatives.
 *
 * The returned tensors are yours to dispose; everything else `f` creates is freed.
 *
 * @example
 * ```ts
 * const loss = (p: { w: Tensor; b: Tensor }, x: Tensor, y: Tensor) =>
 *   mean(square(sub(add(matmul(x, p.w), p.b), y)));
 * const { value, grads } = valueAndGrad(loss)({ w, b }, x, y);
 * ```
 */
export function valueAndGrad<T, A extends unknown[]>(
  f: (params: T, ...rest: A) => Tensor,
  options: GradOptions = {},
): (params: T, ...rest: A) => ValueAndGrad<T> {
  return transform('valueAndGrad', f, options);
}

/** `valueAndGrad`, with errors naming `op`: the function the user called. */
function transform<T, A extends unknown[]>(
  op: 'grad' | 'valueAndGrad',
  f: (params: T, ...rest: A) => Tensor,
  options: GradOptions,
): (params: T, ...rest: A) => ValueAndGrad<T> {
  installAutograd();
  checkOptions(op, options);
  return (params: T, ...rest: A) => {
    const originals = leaves(op, params);
    for (const t of originals) assertLiveTensor(op, t);
    // Inside an outer `grad`/`valueAndGrad` the inputs stay connected to it (higher order);
    // otherwise fresh leaves are made so this call neither needs nor touches the caller's `.grad`
    // (and records nothing for a second differentiation nobody will ask for).
    const nested = transformDepth > 0 && originals.some((t) => t.requiresGrad);
    const inputs = new Map<Tensor, Tensor>();
    let value: Tensor;
    try {
      value = tidy(() => {
        const wrapped = mapTree(params, (t) => {
          const input = keep(nested && t.requiresGrad ? reshape(t, t.shape) : t.detach());
          if (!input.requiresGrad && input.dtype === 'float32') input.requiresGrad = true;
          inputs.set(t, input);
          return input;
        }) as T;
        transformDepth++;
        let out: Tensor;
        try {
          out = f(wrapped, ...rest);
        } finally {
          transformDepth--;
        }
        if (!(out instanceof Tensor)) throw new GatedError(op, 'the function must return a tensor');
        return out;
      });
    } catch (error) {
      // `f` threw: the kept copies of the inputs are freed here, as the finally below would.
      dispose([...inputs.values()]);
      throw error;
    }
    try {
      const targets = [...inputs.values()];
      const found = value.requiresGrad
        ? TAPE.gradients(op, value, options.seed, targets, { createGraph: nested, retainGraph: nested })
        : new Map<Tensor, Tensor>();
      const grads = mapTree(params, (t) => {
        const input = inputs.get(t)!;
        return found.get(input) ?? zerosLike(input);
      }) as T;
      if (nested) return { value, grads };
      // Outside an outer differentiation nobody can use the value's graph again: cut it loose.
      const detached = value.detach();
      value.dispose();
      return { value: detached, grads };
    } catch (error) {
      value.dispose();
      throw error;
    } finally {
      dispose([...inputs.values()]);
    }
  };
}

/**
 * Transforms `f` into a function returning the gradient of `f` (a scalar, or a non-scalar with
 * `options.seed`) with respect to its first argument, in the same structure.
 *
 * @example
 * ```ts
 * const df = grad((x: Tensor) => sum(tanh(x)));
 * const d2f = grad((x: Tensor) => sum(df(x)));   // higher order
 * ```
 */
export function grad<T, A extends unknown[]>(
  f: (params: T, ...rest: A) => Tensor,
  options: GradOptions = {},
): (params: T, ...rest: A) => T {
  const both = transform('grad', f, options);
  return (params: T, ...rest: A) => {
    const { value, grads } = both(params, ...rest);
    value.dispose();
    return grads;
  };
}
