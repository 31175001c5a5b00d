/**
 * Reference layout ops. The tensor API implements most of these as views (shape, strides and an
 * offset over a shared buffer); the reference simply copies, which is what a view must look like
 * when read.
 */
import { NDArray, refAxis, shapeSize, shapeText } from './ndarray.js';

/** The same values in a new shape; at most one axis may be -1. */
export function reshape(x: NDArray, shape: readonly number[]): NDArray {
  const known = shape.filter((d) => d !== -1);
  const knownSize = shapeSize(known);
  const target = shape.map((d) => (d === -1 ? x.size / knownSize : d));
  if (shape.length - known.length > 1 || shapeSize(target) !== x.size || target.some((d) => !Number.isInteger(d))) {
    throw new Error(`reference: cannot reshape ${shapeText(x.shape)} to ${shapeText(shape)}`);
  }
  return new NDArray(x.data.slice(), target, x.dtype);
}

export function flatten(x: NDArray): NDArray {
  return reshape(x, [x.size]);
}

/** Reorders axes: output axis i is input axis `perm[i]` (negative entries count from the end). */
export function permute(x: NDArray, perm: readonly number[]): NDArray {
  const axes = perm.map((a) => refAxis(a, x.rank));
  if (new Set(axes).size !== x.rank || axes.length !== x.rank) throw new Error('reference: not a permutation');
  return NDArray.build(
    axes.map((a) => x.shape[a]!),
    x.dtype,
    (index) => {
      const source = new Array<number>(x.rank);
      axes.forEach((a, i) => (source[a] = index[i]!));
      return x.at(source);
    },
  );
}

/** Swaps two axes (the last two by default). */
export function transpose(x: NDArray, axis0 = -2, axis1 = -1): NDArray {
  const a = refAxis(axis0, x.rank);
  const b = refAxis(axis1, x.rank);
  const perm = Array.from({ length: x.rank }, (_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/** Broadcasts to `shape`: size-1 axes repeat, new leading axes are added, -1 keeps an existing axis. */
export function expand(x: NDArray, shape: readonly number[]): NDArray {
  const shift = shape.length - x.rank;
  if (shift < 0) throw new Error('reference: expand to a lower rank');
  const target = shape.map((d, i) => (d === -1 && i >= shift ? x.shape[i - shift]! : d));
  for (let i = 0; i < x.rank; i++) {
    if (x.shape[i] !== 1 && x.shape[i] !== target[i + shift]) throw new Error(`reference: cannot expand ${shapeText(x.shape)}`);
  }
  return NDArray.build(target, x.dtype, (index) => x.at(x.shape.map((d, i) => (d === 1 ? 0 : index[i + shift]!))));
}

/**
 * A window of `size[i]` elements from `begin[i]` on each axis (negative begin counts from the
 * end; size -1 or missing runs to the end; axes past `begin` are taken whole).
 */
export function slice(x: NDArray, begin: readonly number[], size?: readonly number[]): NDArray {
  const starts = x.shape.map((dim, axis) => {
    const b = begin[axis] ?? 0;
    return b < 0 ? b + dim : b;
  });
  const lengths = x.shape.map((dim, axis) => {
    const s = size?.[axis] ?? -1;
    return s === -1 ? dim - starts[axis]! : s;
  });
  x.shape.forEach((dim, axis) => {
    if (starts[axis]! < 0 || lengths[axis]! < 0 || starts[axis]! + lengths[axis]! > dim) throw new Error('reference: slice out of bounds');
  });
  return NDArray.build(lengths, x.dtype, (index) => x.at(index.map((v, axis) => v + starts[axis]!)));
}

/** `length` elements of `axis` from `start`. */
export function narrow(x: NDArray, axis: number, start: number, length: number): NDArray {
  const a = refAxis(axis, x.rank);
  return slice(
    x,
    x.shape.map((_, i) => (i === a ? start : 0)),
    x.shape.map((_, i) => (i === a ? length : -1)),
  );
}

/** Removes the given size-1 axes, or every size-1 axis. */
export function squeeze(x: NDArray, axes?: number | readonly number[]): NDArray {
  const list =
    axes === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : (typeof axes === 'number' ? [axes] : axes).map((a) => refAxis(a, x.rank));
  if (list.some((a) => x.shape[a] !== 1)) throw new Error('reference: squeeze of a non-1 axis');
  return reshape(
    x,
    x.shape.filter((_, i) => !list.includes(i)),
  );
}

/** Inserts a size-1 axis at `axis` (in `[-rank-1, rank]`). */
export function unsqueeze(x: NDArray, axis: number): NDArray {
  const a = refAxis(axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Joins arrays along `axis`; all other axes must match. */
export function concat(parts: readonly NDArray[], axis = 0): NDArray {
  const first = parts[0];
  if (!first) throw new Error('reference: concat of nothing');
  const a = refAxis(axis, first.rank);
  const shape = [...first.shape];
  shape[a] = parts.reduce((total, p) => total + p.shape[a]!, 0);
  const starts: number[] = [];
  let start = 0;
  for (const part of parts) {
    if (part.dtype !== first.dtype || part.rank !== first.rank || part.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error('reference: concat of mismatched parts');
    }
    starts.push(start);
    start += part.shape[a]!;
  }
  return NDArray.build(shape, first.dtype, (index) => {
    const position = index[a]!;
    let which = parts.length - 1;
    // The last part starting at or before `position` holds it (an empty part never does: the
    // part after it starts at the same place).
    while (starts[which]! > position) which--;
    return parts[which]!.at(index.map((v, i) => (i === a ? v - starts[which]! : v)));
  });
}

/** Stacks equal-shaped arrays along a new axis. */
export function stack(parts: readonly NDArray[], axis = 0): NDArray {
  const first = parts[0];
  if (!first) throw new Error('reference: stack of nothing');
  const a = refAxis(axis, first.rank + 1);
  return concat(
    parts.map((p) => unsqueeze(p, a)),
    a,
  );
}

/** Splits along `axis` into `sections` equal parts or parts of the given sizes. */
export function split(x: NDArray, sections: number | readonly number[], axis = 0): NDArray[] {
  const a = refAxis(axis, x.rank);
  const dim = x.shape[a]!;
  const sizes = typeof sections === 'number' ? new Array<number>(sections).fill(dim / sections) : sections;
  if (sizes.reduce((p, s) => p + s, 0) !== dim) throw new Error('reference: split sizes do not add up');
  const out: NDArray[] = [];
  let start = 0;
  for (const size of sizes) {
    out.push(narrow(x, a, start, size));
    start += size;
  }
  return out;
}

/** Pads with a constant: `paddings[i] = [before, after]` on axis i (missing axes unpadded). */
export function pad(x: NDArray, paddings: readonly (readonly [number, number])[], value = 0): NDArray {
  const before = x.shape.map((_, i) => paddings[i]?.[0] ?? 0);
  const shape = x.shape.map((d, i) => d + before[i]! + (paddings[i]?.[1] ?? 0));
  return NDArray.build(shape, x.dtype, (index) => {
    const source = index.map((v, i) => v - before[i]!);
    const inside = source.every((v, i) => v >= 0 && v < x.shape[i]!);
    return inside ? x.at(source) : value;
  });
}
