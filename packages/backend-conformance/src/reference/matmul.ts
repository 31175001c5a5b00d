/**
 * Reference matrix product with numpy's rules: batch axes broadcast; a 1-D left operand is a
 * row vector and a 1-D right operand a column vector, their added axis dropped from the result.
 * Products accumulate in float64.
 */
import { broadcastShape } from './broadcast.js';
import { NDArray, shapeText } from './ndarray.js';

export interface RefMatmulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

export function matmul(a: NDArray, b: NDArray, options: RefMatmulOptions = {}): NDArray {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('reference: matmul of non-float32');
  if (a.rank === 0 || b.rank === 0) throw new Error('reference: matmul of a scalar');
  const left = a.rank === 1 ? new NDArray(a.data, [1, a.size], 'float32') : a;
  const right = b.rank === 1 ? new NDArray(b.data, [b.size, 1], 'float32') : b;
  const product = matmul2(left, right, options.transposeA ?? false, options.transposeB ?? false);
  const shape = [...product.shape];
  if (b.rank === 1) shape.splice(shape.length - 1, 1);
  if (a.rank === 1) shape.splice(shape.length - (b.rank === 1 ? 1 : 2), 1);
  return new NDArray(product.data, shape, 'float32');
}

function matmul2(a: NDArray, b: NDArray, transposeA: boolean, transposeB: boolean): NDArray {
  const ra = a.rank;
  const rb = b.rank;
  const [m, k] = transposeA ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const [kb, n] = transposeB ? [b.shape[rb - 1]!, b.shape[rb - 2]!] : [b.shape[rb - 2]!, b.shape[rb - 1]!];
  if (k !== kb) throw new Error(`reference: matmul inner dimensions ${shapeText(a.shape)} x ${shapeText(b.shape)}`);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShape(batchA, batchB);
  const batchIndex = (index: readonly number[], own: readonly number[]): number[] => {
    const shift = index.length - own.length;
    return own.map((dim, i) => (dim === 1 ? 0 : index[i + shift]!));
  };
  // Flat offsets instead of per-element index arrays: the reference must stay quick at 130³.
  const offsetOf = (x: NDArray, index: readonly number[]): number => index.reduce((sum, v, i) => sum + v * x.strides[i]!, 0);
  const [aRow, aInner] = transposeA ? [a.strides[ra - 1]!, a.strides[ra - 2]!] : [a.strides[ra - 2]!, a.strides[ra - 1]!];
  const [bInner, bCol] = transposeB ? [b.strides[rb - 1]!, b.strides[rb - 2]!] : [b.strides[rb - 2]!, b.strides[rb - 1]!];
  return NDArray.build([...batch, m, n], 'float32', (index) => {
    const outer = index.slice(0, -2);
    const row = index[index.length - 2]!;
    const col = index[index.length - 1]!;
    const baseA = offsetOf(a, batchIndex(outer, batchA)) + row * aRow;
    const baseB = offsetOf(b, batchIndex(outer, batchB)) + col * bCol;
    let total = 0;
    for (let p = 0; p < k; p++) total += a.data[baseA + p * aInner]! * b.data[baseB + p * bInner]!;
    return total;
  });
}
