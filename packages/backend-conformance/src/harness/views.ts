/**
 * Non-contiguous inputs. Kernels only ever see contiguous buffers; the engine materialises views
 * with `stridedCopy` (or, for matmul, passes a transpose flag). These builders make tensors that
 * read as a given reference array but are transposed, sliced out of a padded buffer (an offset
 * and gaps), permuted, or expanded (stride 0), so suites can check an op gives the same answer
 * on each as on a contiguous copy.
 */
import { clone, expand, permute, slice, tidy, transpose, type Tensor } from '@gated/tensor';
import { NDArray, expand as refExpand, pad as refPad, permute as refPermute, transpose as refTranspose } from '../reference/index.js';
import { expectSameValues, toTensor } from './compare.js';

export interface ViewCase {
  readonly label: string;
  /** The view; the tensors it is made from are freed by the enclosing `tidy`. */
  readonly make: () => Tensor;
}

/** A value that would stand out if a view read outside its window. */
const OUTSIDE = 77;

/** Views that all read exactly as `x` (those that make sense for its rank). */
export function viewsOf(x: NDArray): ViewCase[] {
  const cases: ViewCase[] = [];
  if (x.rank >= 2) {
    const stored = refTranspose(x);
    cases.push({ label: 'transposed view', make: () => transpose(toTensor(stored)) });
  }
  if (x.rank >= 1) {
    const padded = refPad(
      x,
      x.shape.map(() => [1, 2] as const),
      OUTSIDE,
    );
    cases.push({
      label: 'sliced view (offset, gaps)',
      make: () =>
        slice(
          toTensor(padded),
          x.shape.map(() => 1),
          x.shape,
        ),
    });
  }
  if (x.rank >= 3) {
    const perm = [2, 0, 1, ...Array.from({ length: x.rank - 3 }, (_, i) => i + 3)];
    const inverse = new Array<number>(x.rank);
    perm.forEach((p, i) => (inverse[p] = i));
    const stored = refPermute(x, inverse);
    cases.push({ label: 'permuted view', make: () => permute(toTensor(stored), perm) });
  }
  return cases;
}

/** An expanded (stride-0) view of `small` broadcast to `shape`, with its reference. */
export function expandedView(small: NDArray, shape: readonly number[]): { readonly reference: NDArray; readonly view: ViewCase } {
  return {
    reference: refExpand(small, shape),
    view: { label: `expanded view ${JSON.stringify(small.shape)} → ${JSON.stringify(shape)}`, make: () => expand(toTensor(small), shape) },
  };
}

/**
 * Asserts that `apply` gives bit-identical results on views and on contiguous copies of them:
 * the engine materialises the views, so the kernel must not be able to tell the difference.
 */
export async function expectSameAsCopies(apply: (...inputs: Tensor[]) => Tensor, views: readonly ViewCase[], label: string): Promise<void> {
  const [onViews, onCopies] = tidy(() => [apply(...views.map((v) => v.make())), apply(...views.map((v) => clone(v.make())))]);
  try {
    await expectSameValues(onViews, onCopies, `${label}: ${views.map((v) => v.label).join(' and ')} versus contiguous copies`, {
      got: 'on the views',
      want: 'on contiguous copies',
      hint: 'The engine materialises views with stridedCopy before the kernel runs, so the kernel cannot tell them apart: check stridedCopy.',
    });
  } finally {
    onViews.dispose();
    onCopies.dispose();
  }
}
