/**
 * Memory scopes. `tidy` is the synchronous scope (as in TF.js): it frees every tensor created
 * inside except what is returned or `keep()`-ed. `Scope` / `withScope` are the async-safe kind:
 * a global "current scope" cannot follow `await` (other tasks run in between and would land in
 * it), so an async scope tracks only what it is explicitly given, by `scope.track(t)` or by
 * running synchronous blocks with `scope.run(fn)`.
 */
import { GatedError } from '@gated/backend-api';
import { ENGINE, collectTensors } from './engine.js';
import type { Tensor } from './tensor.js';

/**
 * Runs `fn` and disposes every tensor it created, except the tensors in its result (found
 * through arrays and plain objects) and tensors passed to `keep`. If `fn` throws, everything it
 * created is disposed before the error propagates. `fn` must be synchronous.
 *
 * @example
 * ```ts
 * const loss = tidy(() => mean(square(sub(predict(x), y))));
 * ```
 */
export function tidy<T>(fn: () => T): T {
  return ENGINE.tidy(fn);
}

/** Protects a tensor from every enclosing `tidy` and `Scope`; you dispose it yourself. */
export function keep<T extends Tensor>(tensor: T): T {
  return ENGINE.keep(tensor);
}

/** Disposes every tensor found in `value` (a tensor, or arrays and plain objects of them). */
export function dispose(value: unknown): void {
  disposeAll(collectTensors(value));
}

/**
 * Disposes every tensor of `tensors`, even when one of them throws: the rest are still freed,
 * then the first error is rethrown. @internal
 */
export function disposeAll(tensors: Iterable<Tensor>, skip?: (tensor: Tensor) => boolean): void {
  let first: { error: unknown } | null = null;
  for (const tensor of tensors) {
    if (skip?.(tensor)) continue;
    try {
      tensor.dispose();
    } catch (error) {
      first ??= { error };
    }
  }
  if (first !== null) throw first.error;
}

/**
 * An explicit, async-safe memory scope. Tensors enter it through `track` or as the result of
 * `run`; `dispose()` (or `using`) frees them all, except those passed to `keep`.
 *
 * @example
 * ```ts
 * await using scope = new Scope();
 * const loss = scope.run(() => lossFn(model, batch));
 * console.log(await loss.item());
 * // loss and everything else tracked is freed when the block ends
 * ```
 */
export class Scope implements Disposable, AsyncDisposable {
  private readonly tensors = new Set<Tensor>();
  private closed = false;

  /** Adds tensors (found through arrays and plain objects) to the scope; returns `value`. */
  track<T>(value: T): T {
    this.assertOpen('track');
    for (const tensor of collectTensors(value)) this.tensors.add(tensor);
    return value;
  }

  /**
   * Runs a synchronous block as `tidy` does, then tracks its result in this scope, so the result
   * outlives the block but not the scope.
   */
  run<T>(fn: () => T): T {
    this.assertOpen('run');
    return this.track(ENGINE.tidy(fn, 'Scope.run'));
  }

  /** Removes tensors from the scope (they are yours to dispose); returns `value`. */
  untrack<T>(value: T): T {
    for (const tensor of collectTensors(value)) this.tensors.delete(tensor);
    return value;
  }

  /** Disposes every tracked tensor that was not kept. Idempotent. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      disposeAll(this.tensors, (tensor) => tensor.kept);
    } finally {
      this.tensors.clear();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
    return Promise.resolve();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new GatedError(`Scope.${op}`, 'the scope was already disposed');
  }
}

/**
 * Runs an async function with a fresh {@link Scope}; when it settles (or throws) the scope is
 * disposed, except for tensors in the resolved value.
 *
 * @example
 * ```ts
 * const lossValue = await withScope(async (scope) => {
 *   const loss = scope.run(() => trainStep(batch));
 *   return loss.item();
 * });
 * ```
 */
export async function withScope<T>(fn: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    const result = await fn(scope);
    scope.untrack(result);
    return result;
  } finally {
    scope.dispose();
  }
}
