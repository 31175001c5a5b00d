/** `concat`: joins inputs of one dtype along an axis, one block copy per input and outer index. */
import { allocArray, sizeOf, type DType, type Shape, type TypedArray } from '@gated/backend-api';

export function concat(inputs: readonly TypedArray[], dtype: DType, axis: number, outShape: Shape): TypedArray {
  const out = allocArray(dtype, sizeOf(outShape));
  if (out.length === 0) return out;
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= outShape[d]!;
  const outRow = out.length / outer;
  let column = 0;
  for (const input of inputs) {
    // Each input contributes `chunk` contiguous elements to every outer row of the output.
    const chunk = input.length / outer;
    if (chunk >= 32) {
      for (let o = 0; o < outer; o++) out.set(input.subarray(o * chunk, (o + 1) * chunk), o * outRow + column);
    } else {
      for (let o = 0, s = 0; o < outer; o++) {
        for (let d = o * outRow + column, end = d + chunk; d < end; d++) out[d] = input[s++]!;
      }
    }
    column += chunk;
  }
  return out;
}
