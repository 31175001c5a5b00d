/** Host side of the reductions (assembly/reduce.ts): reduce over axes and argmax / argmin. */
import { contiguousStrides, mergeAxes, outerInner, sizeOf, type ArgReduceOp, type ReduceOp, type TensorSpec } from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

/** The input is walked contiguously, with the output's strides (0 on reduced axes) as operand 1. */
export function reduce(host: WasmHost, op: ReduceOp, x: TensorSpec, axes: readonly number[]): WasmBuffer {
  const input = bufferOf(x.data);
  const outShape = x.shape.filter((_, axis) => !axes.includes(axis));
  const outSize = sizeOf(outShape);
  const out = host.newBuffer(input.dtype, outSize);
  if (outSize > 0) {
    const kept = contiguousStrides(outShape);
    const outStrides: number[] = [];
    for (let axis = 0, k = 0; axis < x.shape.length; axis++) outStrides.push(axes.includes(axis) ? 0 : kept[k++]!);
    const planAddress = host.writePlan(mergeAxes(x.shape, [contiguousStrides(x.shape), outStrides]));
    host.withScratch(outSize * 8, (acc) => {
      host.exports.reduce(host.codes.reduce[op], host.codes.dtype[input.dtype], out.address, outSize, input.address, planAddress, acc);
    });
  }
  return out;
}

export function argReduce(host: WasmHost, op: ArgReduceOp, x: TensorSpec, axis: number): WasmBuffer {
  const input = bufferOf(x.data);
  const n = x.shape[axis]!;
  const [outer, inner] = outerInner(x.shape, axis);
  const out = host.newBuffer('int32', outer * inner);
  if (outer * inner > 0) {
    host.withScratch(inner * 8, (best) => {
      host.exports.argReduce(host.codes.argReduce[op], host.codes.dtype[input.dtype], out.address, input.address, outer, n, inner, best);
    });
  }
  return out;
}
