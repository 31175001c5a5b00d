/** numpy broadcasting for the reference, written independently of `@gated/backend-api`'s helpers. */
import { NDArray, shapeText } from './ndarray.js';

/** The broadcast shape of several shapes (axes aligned from the right; each pair equal or one of them 1). */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const axis = rank - shape.length + i;
      const dim = shape[i]!;
      if (dim === out[axis]) continue;
      if (out[axis] === 1) out[axis] = dim;
      else if (dim !== 1) throw new Error(`reference: cannot broadcast ${shapes.map(shapeText).join(' and ')}`);
    }
  }
  return out;
}

/** A materialised copy of `x` broadcast to `shape`. */
export function broadcastTo(x: NDArray, shape: readonly number[]): NDArray {
  const shift = shape.length - x.rank;
  if (shift < 0) throw new Error(`reference: cannot broadcast ${shapeText(x.shape)} to ${shapeText(shape)}`);
  for (let i = 0; i < x.rank; i++) {
    if (x.shape[i] !== 1 && x.shape[i] !== shape[i + shift]) {
      throw new Error(`reference: cannot broadcast ${shapeText(x.shape)} to ${shapeText(shape)}`);
    }
  }
  return NDArray.build(shape, x.dtype, (index) => x.at(x.shape.map((dim, i) => (dim === 1 ? 0 : index[i + shift]!))));
}
